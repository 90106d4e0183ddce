package dev.regshim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class RegsCommandTest {

    @Test
    void decodeShowsNameAndEncoding() {
        Cli.Run r = Cli.run("regs", "decode", "0x603000000013c103");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("TCR2_EL1").contains("S3_0_C2_C0_3").contains("op0:3 op1:0 crn:2 crm:0 op2:3");
    }

    @Test
    void decodeTakesQemusCpregKeyAndNamesBothBanks() {
        Cli.Run r = Cli.run("regs", "decode", "0x200f3a00");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("0x40200000200f3a00  PAR").contains("0x40200000000f3a00  PAR_S")
                .contains("class     aarch32-cp32").doesNotContain("unknown")
                .contains("QEMU prints PAR and PAR_S with the same key 0x200f3a00");
        Cli.Run line = Cli.run("regs", "parse", "handle_cpreg_only_in_incoming_stream: system register 0x200f3a00 in the "
                + "incoming stream but unknown on the destination: fail migration");
        assertThat(line.exit()).isZero();
        assertThat(line.out()).contains("PAR ").contains("PAR_S");
    }

    @Test
    void decodeAmbiguousNameExitsTwo() {
        Cli.Run r = Cli.run("regs", "decode", "ELR_EL1");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("regshim: 'ELR_EL1' is ambiguous");
    }

    @Test
    void diffPrintsBothSidesByName(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.txt");
        Path b = dir.resolve("b.txt");
        Files.writeString(a, "TCR2_EL1\nPIRE0_EL1\nPIR_EL1\nSCTLR_EL1\n");
        Files.writeString(b, "SCTLR_EL1\n0x6030000000160003\n");
        Cli.Run r = Cli.run("regs", "diff", a.toString(), b.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("only in " + a + " (3):").contains("TCR2_EL1").contains("PIRE0_EL1").contains("PIR_EL1")
                .contains("only in " + b + " (1):").contains("KVM_REG_ARM_VENDOR_HYP_BMAP_2");
        Cli.Run same = Cli.run("regs", "diff", a.toString(), a.toString());
        assertThat(same.exit()).isZero();
    }

    @Test
    void fieldsDiffOfThePointerAuthExample() {
        Cli.Run r = Cli.run("regs", "fields", "ID_AA64ISAR1_EL1", "0x0011111101211012", "0x0011111100211002");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("APA 1\u21920, GPA 1\u21920: features removed");
        assertThat(r.out()).containsPattern("7:4 +APA +1 PAuth +0 NI +EXACT +UNSAFE");
        assertThat(r.out()).containsPattern("27:24 +GPA +1 IMP +0 NI +LOWER_SAFE +UNSAFE");
        assertThat(r.out()).contains("verdict: UNSAFE").contains("(APA, GPA)");
    }

    @Test
    void fieldsDecodeAndIdenticalValuesExitZero() {
        Cli.Run d = Cli.run("regs", "fields", "ID_AA64ISAR1_EL1", "0x0011111101211012");
        assertThat(d.exit()).isZero();
        assertThat(d.out()).containsPattern("7:4 +APA +1 +PAuth +EXACT").containsPattern("23:20 +LRCPC +2 +LRCPC2 +LOWER_SAFE");
        Cli.Run same = Cli.run("regs", "fields", "S3_0_C0_C6_1", "0x10", "16");
        assertThat(same.exit()).isZero();
        assertThat(same.out()).contains("identical");
        Cli.Run view = Cli.run("regs", "fields", "ID_DFR0", "0x03010066");
        assertThat(view.out()).contains("layout of ID_DFR0_EL1").containsPattern("27:24 +PerfMon +3 +PMUv3");
    }

    @Test
    void fieldsJson() throws Exception {
        Cli.Run r = Cli.run("regs", "fields", "ID_AA64ISAR1_EL1", "0x0011111100211002", "0x0011111101211012", "--json");
        assertThat(r.exit()).isEqualTo(1);
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertThat(j.get("verdict").asText()).isEqualTo("SAFE");
        assertThat(j.get("summary").asText()).isEqualTo("APA 0\u21921, GPA 0\u21921: features added");
        assertThat(j.get("changes")).hasSize(2);
        assertThat(j.get("changes").get(0).get("rule").asText()).isEqualTo("EXACT");
        assertThat(j.get("changes").get(0).get("safe_for_migration").asBoolean()).isTrue();
        JsonNode dec = Json.MAPPER.readTree(Cli.run("regs", "fields", "ID_AA64ISAR1_EL1", "0x0011111101211012", "--json").out());
        assertThat(dec.get("layout").asText()).isEqualTo("ID_AA64ISAR1_EL1");
        assertThat(dec.get("id_register").asBoolean()).isTrue();
        assertThat(dec.get("fields").size()).isEqualTo(16);
    }

    @Test
    void fieldsBadInputExitsTwo() {
        Cli.Run r = Cli.run("regs", "fields", "ID_AA64ISAR1_EL1", "0xzz");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("regshim: bad value '0xzz'");
        assertThat(Cli.run("regs", "fields", "NOPE_EL1", "1").exit()).isEqualTo(2);
    }
}
