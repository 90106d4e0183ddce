package dev.regshim.libvirt;

import dev.regshim.cli.Cli;
import dev.regshim.profile.Profile;
import dev.regshim.profile.ProfileJson;
import dev.regshim.testing.QemuTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.regshim.libvirt.VirshSaveRestoreTest.virsh;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code profile capture --domain}: the destination's profile from the QEMU command line a real libvirt daemon builds
 * for an aarch64 TCG domain, equal to a capture of that command line by hand; and one-line errors for a missing
 * domain, an unreachable daemon, a domain that is not aarch64 and a missing virsh.
 */
@Tag("libvirt")
@Tag("qemu")
class ProfileCaptureDomainTest {

    private Path dir;
    private final List<String> domains = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        VirshSaveRestoreTest.requireDaemon();
        QemuTestSupport.requireQemu();
        dir = VirshSaveRestoreTest.sharedDir("regshim-capture-");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (String d : domains) {
            virsh(false, "undefine", d);
        }
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private String define(String xml) throws Exception {
        String name = "regshim-capture-" + ProcessHandle.current().pid() + "-" + domains.size();
        Path f = dir.resolve(name + ".xml");
        Files.writeString(f, xml.replace("NAME", name));
        virsh(true, "define", f.toString());
        domains.add(name);
        return name;
    }

    @Test
    void aDomainsProfileIsTheCaptureOfTheCommandLineLibvirtBuildsForIt() throws Exception {
        // the domain carries register lists in <qemu:commandline>: the profile is captured without them
        String xml = VirshSaveRestoreTest.domainXml("NAME", dir.resolve("unused.elf"), dir.resolve("serial.log"))
                .replace("<domain type='qemu'>", "<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>")
                .replace("</domain>", "  <qemu:commandline>\n    <qemu:arg value='-global'/>\n"
                        + "    <qemu:arg value='driver=arm-cpu,property=x-mig-hidden-regs,value=0x6030000000160003'/>\n"
                        + "  </qemu:commandline>\n</domain>");
        String name = define(xml);
        Path out = dir.resolve("host.json");
        Cli.Run cap = Cli.run("profile", "capture", "--domain", name, "-o", out.toString());
        assertThat(cap.exit()).as(cap.err()).isZero();
        assertThat(cap.err()).contains("capturing domain " + name + " at qemu:///system: /usr/bin/qemu-system-aarch64 -machine virt-")
                .contains(" -accel tcg -cpu cortex-a57 -m 64")
                .doesNotContain("memory-backend").doesNotContain("x-mig-hidden-regs")
                .contains("carries register lists (1 hidden, 0 fake); the profile is without them");
        Profile p = ProfileJson.read(out);
        // the QEMU release exactly as a capture records it: the binary's own version
        String version = QemuTestSupport.version(QemuTestSupport.requireQemu()).toString();
        assertThat(p.provenance().qemuVersion()).isEqualTo(version);
        assertThat(p.provenance().source()).isEqualTo("libvirt domain " + name + " at qemu:///system");
        assertThat(p.provenance().cpu()).isEqualTo("cortex-a57");
        assertThat(p.provenance().accel()).isEqualTo("tcg");
        // the same registers and values as capturing the equivalent command line by hand
        Path byHand = dir.resolve("by-hand.json");
        Cli.Run hand = Cli.run("profile", "capture", "-o", byHand.toString(), "--", "qemu-system-aarch64", "-M", p.machineType(),
                "-accel", "tcg", "-cpu", "cortex-a57", "-m", "64", "-nodefaults", "-display", "none");
        assertThat(hand.exit()).as(hand.err()).isZero();
        Profile h = ProfileJson.read(byHand);
        assertThat(p.vcpus().get(0).cpregs().length()).isEqualTo(h.vcpus().get(0).cpregs().length()).isGreaterThan(200);
        for (int i = 0; i < h.vcpus().get(0).cpregs().length(); i++) {
            assertThat(p.vcpus().get(0).cpregs().id(i)).isEqualTo(h.vcpus().get(0).cpregs().id(i));
        }
        assertThat(Cli.run("check", "--from", byHand.toString(), "--to", out.toString()).out()).contains("verdict: LOADS");
    }

    @Test
    void errorsAreOneLineAndSayWhatIsWrong() throws Exception {
        Cli.Run none = Cli.run("profile", "capture", "--domain", "regshim-no-such-domain");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).startsWith("regshim: no domain 'regshim-no-such-domain' at qemu:///system (virsh: ").hasLineCount(1);
        Cli.Run unreachable = Cli.run("profile", "capture", "--domain", "x", "--connect", "qemu+unix:///system?socket=/nonexistent/sock");
        assertThat(unreachable.exit()).isEqualTo(2);
        assertThat(unreachable.err()).startsWith("regshim: cannot reach libvirt at qemu+unix:///system?socket=/nonexistent/sock: ")
                .hasLineCount(1);
        // a 32-bit ARM guest (qemu-system-arm): not an aarch64 domain
        if (Files.isExecutable(Path.of("/usr/bin/qemu-system-arm"))) {
            String arm = define("<domain type='qemu'><name>NAME</name><memory unit='MiB'>64</memory><os>"
                    + "<type arch='armv7l' machine='virt'>hvm</type></os><devices><emulator>/usr/bin/qemu-system-arm</emulator>"
                    + "</devices></domain>");
            Cli.Run a32 = Cli.run("profile", "capture", "--domain", arm);
            assertThat(a32.exit()).isEqualTo(2);
            assertThat(a32.err()).isEqualTo("regshim: domain '" + arm + "' is an armv7l guest, not aarch64: regshim profiles ARM64 vCPUs\n");
        }
        // no virsh on PATH
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                "dev.regshim.cli.Main", "profile", "capture", "--domain", "x");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PATH", dir.toString());
        Process proc = pb.start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(proc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(proc.exitValue()).isEqualTo(2);
        assertThat(out).isEqualTo("regshim: virsh not found on PATH (apt-get install libvirt-clients)\n");
        assertThat(Cli.run("profile", "capture", "--domain", "x", "--", "qemu-system-aarch64").err())
                .isEqualTo("regshim: give --domain or a QEMU command line, not both\n");
    }
}
