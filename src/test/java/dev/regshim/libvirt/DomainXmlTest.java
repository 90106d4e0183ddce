package dev.regshim.libvirt;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading domain XML, the register lists of -global, and libvirt's QEMU command line, without a daemon. */
class DomainXmlTest {

    @Test
    void bothSpellingsOfGlobalGiveTheListsAndTheirSeries() {
        RegisterLists l = RegisterLists.of(List.of("-global", "driver=arm-cpu,property=x-mig-safe-missing-regs,value=0x603000000013c103,,0x603000000013c512",
                "-global", "arm-cpu.x-mig-hidden-regs=0x6030000000160003", "-global", "virtio-pci.disable-legacy=on"), "t");
        assertThat(l.semantics()).map(s -> s.label()).contains("series-v2");
        assertThat(l.fake().toArray()).containsExactly(0x603000000013c103L, 0x603000000013c512L);
        assertThat(l.hidden().toArray()).containsExactly(0x6030000000160003L);
        assertThatThrownBy(() -> RegisterLists.of(List.of("-global", "arm-cpu.kvm-hidden-regs=0x1", "-global",
                "arm-cpu.x-mig-hidden-regs=0x1"), "t")).hasMessage("t: both series-v1 and series-v2 register list properties are set (x-mig-hidden-regs)");
        assertThatThrownBy(() -> RegisterLists.of(List.of("-global", "arm-cpu.x-mig-hidden-regs=TCR2_EL1"), "t"))
                .hasMessageContaining("'TCR2_EL1' is not a register id");
    }

    @Test
    void theCaptureCommandKeepsWhatShapesTheVcpuOnly() {
        List<String> argv = QemuArgv.tokenize("LC_ALL=C PATH=/usr/bin HOME=/var/lib/libvirt/qemu/d /usr/bin/qemu-system-aarch64 \\\n"
                + "-name guest=d,debug-threads=on -S -object '{\"qom-type\":\"secret\",\"id\":\"masterKey0\"}' "
                + "-machine virt-7.2,usb=off,gic-version=2,memory-backend=mach-virt.ram -accel tcg -cpu cortex-a57,pauth=off -m 64 "
                + "-global 'driver=arm-cpu,property=x-mig-hidden-regs,value=0x1,,0x2' -global kvm-pit.lost_tick_policy=delay "
                + "-smp 1,sockets=1 -no-user-config -nodefaults -chardev socket,id=charmonitor,fd=23,server=on", "t");
        assertThat(argv).contains("{\"qom-type\":\"secret\",\"id\":\"masterKey0\"}", "driver=arm-cpu,property=x-mig-hidden-regs,value=0x1,,0x2");
        assertThat(QemuArgv.captureCommand(argv, "t")).containsExactly("/usr/bin/qemu-system-aarch64",
                "-machine", "virt-7.2,usb=off,gic-version=2", "-accel", "tcg", "-cpu", "cortex-a57,pauth=off", "-m", "64",
                "-global", "kvm-pit.lost_tick_policy=delay", "-smp", "1,sockets=1", "-nodefaults", "-no-user-config", "-display", "none");
        assertThatThrownBy(() -> QemuArgv.tokenize("qemu -name 'x", "t")).hasMessage("t: unbalanced ' in the QEMU command line");
    }

    @Test
    void domainXmlIsReadWithoutEntitiesAndEditedInPlace() {
        String xml = "<domain type='kvm'>\n  <name>g</name>\n  <os>\n    <type arch='aarch64' machine='virt-9.2'>hvm</type>\n  </os>\n"
                + "  <cpu mode='host-passthrough'/>\n</domain>\n";
        DomainXml d = DomainXml.parse(xml, "t");
        assertThat(d.isAarch64()).isTrue();
        assertThat(d.machine()).contains("virt-9.2");
        assertThat(d.qemuCpuModel()).contains("host");
        assertThat(d.accel()).isEqualTo("kvm");
        DomainXml e = d.withArgs(List.of("-global", "arm-cpu.x-mig-hidden-regs=0x6030000000160003"));
        assertThat(e.text()).startsWith("<domain xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0' type='kvm'>\n")
                .endsWith("  <cpu mode='host-passthrough'/>\n  <qemu:commandline>\n    <qemu:arg value='-global'/>\n"
                        + "    <qemu:arg value='arm-cpu.x-mig-hidden-regs=0x6030000000160003'/>\n  </qemu:commandline>\n</domain>\n");
        assertThat(e.registerLists().hidden().size()).isEqualTo(1);
        // a second edit appends to the existing element
        assertThat(e.withArgs(List.of("-S")).args()).containsExactly("-global", "arm-cpu.x-mig-hidden-regs=0x6030000000160003", "-S");
        assertThatThrownBy(() -> DomainXml.parse("<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><domain>&x;</domain>", "t"))
                .isInstanceOf(LibvirtException.class).hasMessageStartingWith("t: not domain XML: line 1");
        assertThatThrownBy(() -> DomainXml.parse("<cookie/>", "t")).hasMessage("t: the root element is <cookie>, not <domain>");
        assertThat(DomainXml.parsePlan("<!-- NOT ACCEPTED: x\n  - b -> a: FAILS -->\n", "p").topLevelComments()).hasSize(1);
    }
}
