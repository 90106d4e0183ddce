package dev.regshim.plan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.Semantics;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The emitted forms: structure and syntax (the real-QEMU and compiler checks are in their own tests). */
class CompatEmitterTest {

    static FleetPlan seed(Semantics s, String machine) {
        return FleetPlanner.plan(Fleets.seed(), PlanSettings.of(s, Accel.KVM).withMachine(MachineType.parse(machine)));
    }

    @Test
    void commandLineDoublesCommasInTheQemuOptsForm() {
        FleetPlan p = seed(Semantics.SERIES_V1, "virt-10.1");
        String q = CompatEmitter.qemu(p);
        assertThat(q).contains("-global driver=arm-cpu,property=kvm-hidden-regs,value=0x6030000000160003 \\\n"
                + "-global driver=arm-cpu,property=kvm-enforced-regs,value=0x603000000013c103,,0x603000000013c512,,0x603000000013c513\n");
        assertThat(q).contains("reads \",,\" as a literal comma").contains("-cpu host,PROPERTY=...")
                .contains("exist on KVM vCPUs only");
        assertThat(q).contains("#   6.13: fakes TCR2_EL1, PIRE0_EL1, PIR_EL1 (accepted from a stream, dropped); sends 255 registers per vCPU");
        // every non-comment line is copy-pasteable: options only
        for (String line : q.split("\n")) {
            assertThat(line.isEmpty() || line.startsWith("#") || line.startsWith("-global ")).as(line).isTrue();
        }
        // the QemuOpts value, undoubled, is the property value
        for (CompatEmitter.Property prop : CompatEmitter.properties(p)) {
            String arg = CompatEmitter.globalArgs(p).get(1 + 2 * CompatEmitter.properties(p).indexOf(prop));
            assertThat(arg.substring(arg.indexOf(",value=") + ",value=".length()).replace(",,", ",")).isEqualTo(prop.value());
        }
    }

    @Test
    void seriesV2WarnsAboutTheSeriesOwnCompatOnOldMachines() {
        assertThat(CompatEmitter.qemu(seed(Semantics.SERIES_V2, "virt-10.1"))).contains("sets x-mig-safe-missing-regs itself for virt-10.2");
        assertThat(CompatEmitter.qemu(seed(Semantics.SERIES_V2, "virt-11.0"))).doesNotContain("itself for virt-10.2");
    }

    @Test
    void libvirtFragmentIsNamespacedXmlWithOneArgPerArgv() throws Exception {
        FleetPlan p = seed(Semantics.SERIES_V2, "virt-10.1");
        String xml = CompatEmitter.libvirt(p);
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document d = f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        Element domain = d.getDocumentElement();
        assertThat(domain.getLocalName()).isEqualTo("domain");
        assertThat(domain.getAttribute("type")).isEqualTo("kvm");
        NodeList cl = domain.getElementsByTagNameNS(CompatEmitter.LIBVIRT_QEMU_NS, "commandline");
        assertThat(cl.getLength()).isEqualTo(1);
        NodeList args = domain.getElementsByTagNameNS(CompatEmitter.LIBVIRT_QEMU_NS, "arg");
        List<String> values = new ArrayList<>();
        for (int i = 0; i < args.getLength(); i++) {
            values.add(((Element) args.item(i)).getAttribute("value"));
        }
        assertThat(values).isEqualTo(CompatEmitter.globalArgs(p));
        assertThat(((Element) domain.getElementsByTagName("type").item(0)).getAttribute("machine")).isEqualTo("virt-10.1");
    }

    private static int count(String text, String needle) {
        Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void cArraySetsEachPropertyOncePerMachineType() {
        String v1 = CompatEmitter.c(seed(Semantics.SERIES_V1, "virt-10.1"));
        assertThat(count(v1, "{ TYPE_ARM_CPU, \"kvm-hidden-regs\"")).isEqualTo(1);
        assertThat(count(v1, "{ TYPE_ARM_CPU, \"kvm-enforced-regs\"")).isEqualTo(1);
        assertThat(v1).contains("static GlobalProperty arm_virt_reg_compat_10_1[] = {")
                .contains("\"0x603000000013c103, 0x603000000013c512, 0x603000000013c513\", .optional = true }")
                .contains("arm_virt_set_reg_compat(mc, arm_virt_reg_compat_10_1, G_N_ELEMENTS(arm_virt_reg_compat_10_1));")
                .contains("virt_machine_10_1_options")
                .contains("Never compat_props_add() these properties directly")
                .contains("/* KVM_REG_ARM_VENDOR_HYP_BMAP_2 (conditional: KVM_REG_ARM_VENDOR_HYP_BMAP_2 == 0) */");
        // v2: on every ARM CPU, so not optional; virt-10.2 and older merge the series' DBGDTRTX entry into the one list
        String v2 = CompatEmitter.c(seed(Semantics.SERIES_V2, "virt-10.1"));
        assertThat(count(v2, "\"x-mig-safe-missing-regs\"")).isEqualTo(1);
        assertThat(v2).doesNotContain(".optional")
                .contains("\"0x40200000200e0298, 0x603000000013c103, 0x603000000013c512, 0x603000000013c513\" }")
                .contains("AArch32 DBGDTRTX (the series' virt-10.2 entry, kept)");
        String v2new = CompatEmitter.c(seed(Semantics.SERIES_V2, "virt-11.0"));
        assertThat(v2new).doesNotContain("0x40200000200e0298").contains("arm_virt_reg_compat_11_0");
        String q = CompatEmitter.c(seed(Semantics.QEMU_11_1, "virt-10.1"));
        assertThat(q).doesNotContain("GlobalProperty").contains("nothing to add").endsWith(" */\n");
    }

    @Test
    void compatJson() {
        JsonNode j = PlanJson.compat(seed(Semantics.SERIES_V1, "virt-10.1"));
        assertThat(j.get("format").asText()).isEqualTo("regshim-compat/1");
        assertThat(j.get("driver").asText()).isEqualTo("arm-cpu");
        JsonNode hidden = j.get("properties").get(0);
        assertThat(hidden.get("name").asText()).isEqualTo("kvm-hidden-regs");
        assertThat(hidden.get("registers").get(0).get("condition").asText()).isEqualTo("KVM_REG_ARM_VENDOR_HYP_BMAP_2 == 0");
        assertThat(j.get("qemu_args")).hasSize(4);
    }

    @Test
    void nothingToEmitForAUniformFleet() {
        FleetPlan p = Fleets.plan(Fleets.kernel("6.6", "6.12"), Semantics.SERIES_V1);
        assertThat(CompatEmitter.globalArgs(p)).isEmpty();
        assertThat(CompatEmitter.qemu(p)).contains("nothing to add: every host class lists the same registers");
        assertThat(CompatEmitter.libvirt(p)).contains("Nothing to add").doesNotContain("<domain");
        assertThat(CompatEmitter.c(p)).contains("Nothing to add").doesNotContain("GlobalProperty");
    }
}
