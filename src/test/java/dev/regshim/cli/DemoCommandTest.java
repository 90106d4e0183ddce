package dev.regshim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class DemoCommandTest {

    @TempDir
    Path tmp;

    @Test
    void tellsTheSeedStoryWithTheModel() {
        Cli.Run r = Cli.run("demo");
        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out())
                .containsPattern("6\\.12 \u2192 6\\.13 +FAILS +Invalid value 258 expecting positive value <= 255: 6\\.13 does not know TCR2_EL1, PIRE0_EL1, PIR_EL1")
                .containsPattern("6\\.13 \u2192 6\\.12 +loads")
                .containsPattern("6\\.17 \u2192 6\\.12 +LOSES +loads, but KVM_REG_ARM_VENDOR_HYP_BMAP_2 sorts after 6\\.12's last register")
                .containsPattern("6\\.17 \u2192 6\\.13 +FAILS +Invalid value 256 expecting positive value <= 255: 6\\.13 does not know KVM_REG_ARM_VENDOR_HYP_BMAP_2")
                .contains("TCR2_EL1: listed by 6.12 (sys_reg_descs: always); not by 6.13, 6.17, 7.3 (listed only when vm.ID_AA64MMFR3_EL1.TCRX>=IMP (tcr2_visibility))")
                .containsPattern("7\\.3 \u2192 6\\.17 +FAILS +Invalid value 257 expecting positive value <= 256: 6\\.17 does not know PMMIR_EL1")
                .contains("PMMIR_EL1: listed by 7.3 (sys_reg_descs, pmu_visibility: vcpu.PMU_V3 (value 0 unless KVM_ARM_VCPU_PMU_V3_STRICT)); not by 6.12, 6.13, 6.17 (first listed in 7.3)")
                .containsPattern("hide +PMMIR_EL1, KVM_REG_ARM_VENDOR_HYP_BMAP_2 +everywhere +conditional: while PMMIR_EL1 == 0 and KVM_REG_ARM_VENDOR_HYP_BMAP_2 == 0")
                .containsPattern("fake +TCR2_EL1, PIRE0_EL1, PIR_EL1 +where missing +safe")
                .contains("-global driver=arm-cpu,property=kvm-enforced-regs,value=0x603000000013c103,,0x603000000013c512,,0x603000000013c513")
                .contains("-global driver=arm-cpu,property=x-mig-hidden-regs,value=0x603000000013c4f6,,0x6030000000160003")
                .contains("qemu-11.1 has no such properties").contains("not covered: PMMIR_EL1.")
                .containsPattern("6\\.17 \u2192 6\\.12 +loads if +KVM_REG_ARM_VENDOR_HYP_BMAP_2 == 0")
                .containsPattern("7\\.3 \u2192 6\\.12 +loads if +PMMIR_EL1 == 0 and KVM_REG_ARM_VENDOR_HYP_BMAP_2 == 0")
                .contains("chains: 36 of 36 paths")
                .contains("series-v1  accepted: 12 of 12 directions load")
                .contains("qemu-11.1  NOT accepted: 9 of 12 directions load")
                .contains("stock QEMU, before: 7 of 12 directions fail, 1 loses state silently.");
    }

    @Test
    void jsonCarriesEachPlan() throws Exception {
        JsonNode j = Json.MAPPER.readTree(Cli.run("demo", "--json").out());
        assertThat(j.get("hosts")).hasSize(4);
        assertThat(j.get("hosts").get(0).get("name").asText()).isEqualTo("6.12");
        JsonNode v1 = j.get("plans").get("series-v1");
        assertThat(v1.get("accepted").asBoolean()).isTrue();
        assertThat(v1.get("before_semantics").asText()).isEqualTo("qemu-stock");
        assertThat(v1.get("compat").get("properties").get(1).get("value").asText())
                .isEqualTo("0x603000000013c103,0x603000000013c512,0x603000000013c513");
        assertThat(j.get("plans").get("qemu-11.1").get("compat").get("properties")).isEmpty();
    }

    @Test
    void writesTheHtmlReport() throws Exception {
        Path html = tmp.resolve("seed.html");
        Cli.Run r = Cli.run("demo", "--html", html.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("HTML report: " + html);
        assertThat(Files.readString(html)).startsWith("<!DOCTYPE html>").contains("id=\"matrix-before\"")
                .contains("kvm-enforced-regs");
    }
}
