package dev.regshim.libvirt;

import dev.regshim.cli.Cli;
import dev.regshim.lab.guest.CounterLine;
import dev.regshim.lab.guest.SerialLog;
import dev.regshim.testing.CounterGuest;
import dev.regshim.testing.QemuTestSupport;
import dev.regshim.testing.SerialLogs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static dev.regshim.libvirt.VirshSaveRestoreTest.virsh;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The libvirt QEMU hook with a real daemon: this host's profile captured from a real aarch64 TCG domain
 * ({@code profile capture --domain}), the hook run as libvirt runs it (arguments, the domain XML libvirt holds on
 * standard input), and a real {@code virsh save} / {@code virsh restore} through the hook installed in the daemon
 * (.ci/run installs scripts/libvirt-hook-qemu as /etc/libvirt/hooks/qemu before it starts libvirtd). The sender that
 * fails is QEMU 11.1 with the same machine type and CPU (a bundled stream): this host runs QEMU 7.2, which does not
 * know 18 of its registers.
 */
@Tag("libvirt")
@Tag("qemu")
class LibvirtHookTest {

    static final Path INSTALLED_HOOK = Path.of("/etc/libvirt/hooks/qemu");
    static final Path HOOK_CONF = Path.of("/etc/regshim/hook.conf");

    private Path dir;
    private String domain;
    private boolean wroteConf;

    @BeforeEach
    void setUp() throws Exception {
        VirshSaveRestoreTest.requireDaemon();
        QemuTestSupport.requireQemu();
        dir = VirshSaveRestoreTest.sharedDir("regshim-hook-");
        domain = "regshim-hook-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100000;
    }

    @AfterEach
    void tearDown() throws Exception {
        if (wroteConf) {
            Files.deleteIfExists(HOOK_CONF);
        }
        virsh(false, "destroy", domain);
        virsh(false, "undefine", domain);
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Defines the counter-guest domain and captures this host's profile from it; returns the profile's path. */
    private Path defineAndCapture(Path serial) throws Exception {
        Path kernel = dir.resolve("counter.elf");
        Files.copy(CounterGuest.elf(), kernel);
        Files.setPosixFilePermissions(kernel, PosixFilePermissions.fromString("rw-r--r--"));
        Path xml = dir.resolve("domain.xml");
        Files.writeString(xml, VirshSaveRestoreTest.domainXml(domain, kernel, serial));
        virsh(true, "define", xml.toString());
        Path host = dir.resolve("host.json");
        Cli.Run cap = Cli.run("profile", "capture", "--domain", domain, "-o", host.toString());
        assertThat(cap.exit()).as(cap.err()).isZero();
        return host;
    }

    private Path file(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private Path newerSender() throws Exception {
        Path p = dir.resolve("qemu-11.1-virt72-a57.mig");
        Files.write(p, dev.regshim.stream.Fixtures.stream("qemu-11.1/virt72-a57"));
        return p;
    }

    private static String plan(String semantics) {
        Cli.Run plan = Cli.run("plan", "--host", "k612=kernel:6.12", "--host", "k613=kernel:6.13", "--host", "k617=kernel:6.17",
                "--semantics", semantics, "-q", "--emit", "libvirt");
        assertThat(plan.exit()).as(plan.err()).isZero();
        assertThat(plan.out()).contains("<qemu:arg value='-global'/>");
        return plan.out();
    }

    @Test
    void theHookChecksAnArrivingGuestAgainstThisHostsProfileAsLibvirtRunsIt() throws Exception {
        Path host = defineAndCapture(dir.resolve("serial.log"));
        String xml = virsh(true, "dumpxml", domain).replaceFirst("^exit 0\n", "");
        Path here = file("fleet-here.txt", "here=" + host + "\n");
        Path mixed = file("fleet-mixed.txt", "# this host and one on QEMU 11.1\nhere=" + host + "\nnewer=" + newerSender() + "\n");

        String pass = HookRuns.run(dir, domain, "restore", xml, Map.of("REGSHIM_FLEET", here.toString(),
                "REGSHIM_HOST_PROFILE", host.toString()));
        assertThat(pass).startsWith("exit 0\n").endsWith("---\n")
                .contains("regshim hook: " + domain + " restore: passes\n")
                .contains("checked against 1 sender profile(s) (here): each loads here");

        String refused = HookRuns.run(dir, domain, "migrate", xml, Map.of("REGSHIM_FLEET", mixed.toString(),
                "REGSHIM_HOST_PROFILE", host.toString()));
        assertThat(refused).startsWith("exit 1\n").endsWith("---\n")
                .contains("regshim hook: " + domain + " migrate: refused: a guest from newer would not load here: "
                        + "registers only the source lists: 18 registers (DBGDTRRXext, DBGDCCINT, DBGDTRTXext, DBGDTRTXint and 14 more)")
                .doesNotContain("from here");
        // the same verdict as regshim check of that direction
        Cli.Run check = Cli.run("check", "--from", newerSender().toString(), "--to", host.toString());
        assertThat(check.exit()).isEqualTo(1);

        String dry = HookRuns.run(dir, domain, "migrate", xml, Map.of("REGSHIM_FLEET", mixed.toString(),
                "REGSHIM_HOST_PROFILE", host.toString(), "REGSHIM_HOOK_DRY_RUN", "1"));
        assertThat(dry).startsWith("exit 0\n").endsWith("---\n").contains("migrate: dry run: would refuse: a guest from newer");

        // lists this host's QEMU (stock 7.2) does not have: refused before QEMU says 'property not found'
        Path v1 = file("plan-v1.xml", plan("series-v1"));
        assertThat(HookRuns.run(dir, domain, "restore", xml, Map.of("REGSHIM_PLAN_XML", v1.toString(),
                "REGSHIM_HOST_PROFILE", host.toString())))
                .startsWith("exit 1\n").contains("refused: the domain's lists are series-v1 properties (kvm-hidden-regs, "
                        + "kvm-enforced-regs); this host's QEMU").contains("(qemu-stock, tcg) has none");
        // a host that runs series v2 (named by REGSHIM_SEMANTICS): the lists are added and the guest checked with them
        Path v2 = file("plan-v2.xml", plan("series-v2"));
        String edited = HookRuns.run(dir, domain, "restore", xml, Map.of("REGSHIM_PLAN_XML", v2.toString(),
                "REGSHIM_HOST_PROFILE", host.toString(), "REGSHIM_FLEET", here.toString(), "REGSHIM_SEMANTICS", "series-v2"));
        assertThat(edited).startsWith("exit 0\n").contains("adding the plan's register lists from " + v2 + " (1 hidden, 3 fake)")
                .contains("checked against 1 sender profile(s) (here)");
        String newXml = edited.substring(edited.indexOf("---\n") + 4);
        assertThat(DomainXml.parse(newXml, "edited").registerLists().hidden().size()).isEqualTo(1);
        Path redefine = file("edited.xml", newXml);
        virsh(true, "define", redefine.toString()); // libvirt takes the XML the hook printed
        assertThat(virsh(true, "dumpxml", domain)).contains("property=x-mig-safe-missing-regs,value=0x603000000013c103");
        // that domain now carries lists other than a series-v1 plan's: refused
        assertThat(HookRuns.run(dir, domain, "restore", newXml, Map.of("REGSHIM_PLAN_XML", v1.toString())))
                .startsWith("exit 1\n").contains("refused: the domain carries other register lists than the plan in " + v1);

        // not acted on: other operations, other architectures; bad XML is a one-line error
        assertThat(HookRuns.run(dir, domain, "started", xml, Map.of("REGSHIM_FLEET", mixed.toString(),
                "REGSHIM_HOST_PROFILE", host.toString()))).isEqualTo("exit 0\n---\n");
        String arm32 = xml.replace("arch='aarch64'", "arch='armv7l'");
        assertThat(HookRuns.run(dir, domain, "restore", arm32, Map.of("REGSHIM_FLEET", mixed.toString(),
                "REGSHIM_HOST_PROFILE", host.toString()))).startsWith("exit 0\n").contains("note: not an aarch64 guest");
        assertThat(HookRuns.run(dir, domain, "restore", "<domain><name>x</nam></domain>", Map.of("REGSHIM_FLEET", mixed.toString())))
                .startsWith("exit 2\nregshim: the domain XML on standard input: not domain XML: line 1, column ")
                .hasLineCount(3);
    }

    @Test
    void aRealRestoreGoesThroughTheInstalledHook() throws Exception {
        String why = null;
        if (!Files.isRegularFile(INSTALLED_HOOK)
                || !Files.readString(INSTALLED_HOOK).equals(Files.readString(Path.of("scripts/libvirt-hook-qemu")))) {
            why = "scripts/libvirt-hook-qemu installed as " + INSTALLED_HOOK + " before libvirtd started (as .ci/run does)";
        } else if (Files.exists(HOOK_CONF)) {
            why = "no " + HOOK_CONF + " (an operator's settings are never overwritten)";
        }
        if (why != null) {
            if (QemuTestSupport.isCi()) {
                Assertions.fail("CI=true but the test needs " + why);
            }
            Assumptions.abort("needs " + why);
        }
        Path serial = dir.resolve("serial.log");
        Path host = defineAndCapture(serial);
        virsh(true, "start", domain);
        SerialLogs.awaitLines(serial, VirshSaveRestoreTest.LINES, VirshSaveRestoreTest.TIMEOUT);
        Path image = dir.resolve("saved.img");
        virsh(true, "save", domain, image.toString());
        long countAtSave = SerialLog.read(serial).last().orElseThrow().count();
        Path mixed = file("fleet-mixed.txt", "here=" + host + "\nnewer=" + newerSender() + "\n");
        Path here = file("fleet-here.txt", "here=" + host + "\n");
        Files.createDirectories(HOOK_CONF.getParent());
        String regshim = "REGSHIM='" + HookRuns.regshimCommand() + "'\n";

        // a fleet with a QEMU 11.1 sender: the restore is refused by the hook, with the registers named
        conf(regshim + "REGSHIM_FLEET=" + mixed + "\nREGSHIM_HOST_PROFILE=" + host + "\n");
        String refused = virsh(false, "restore", image.toString());
        assertThat(refused).startsWith("exit 1\n").contains("Hook script execution failed")
                .contains("regshim hook: " + domain + " restore: refused: a guest from newer would not load here: "
                        + "registers only the source lists: 18 registers (DBGDTRRXext");
        assertThat(virsh(true, "domstate", domain)).contains("shut off");

        // a series-v1 plan on this stock QEMU: refused by the hook instead of QEMU's 'property not found'
        conf(regshim + "REGSHIM_PLAN_XML=" + file("plan-v1.xml", plan("series-v1")) + "\nREGSHIM_HOST_PROFILE=" + host + "\n");
        assertThat(virsh(false, "restore", image.toString())).startsWith("exit 1\n").contains("Hook script execution failed")
                .contains("refused: the domain's lists are series-v1 properties");

        // told this host runs series v2, the hook adds the lists, and libvirt starts QEMU with the XML the hook printed:
        // QEMU 7.2 names the property only the hook's edit put there
        conf(regshim + "REGSHIM_PLAN_XML=" + file("plan-v2.xml", plan("series-v2")) + "\nREGSHIM_SEMANTICS=series-v2\n");
        assertThat(virsh(false, "restore", image.toString())).startsWith("exit 1\n")
                .doesNotContain("Hook script execution failed").contains("x-mig-hidden-regs").contains("not found");

        // a fleet whose every sender loads here: restored, and the guest counts on
        conf(regshim + "REGSHIM_FLEET=" + here + "\nREGSHIM_HOST_PROFILE=" + host + "\n");
        virsh(true, "restore", image.toString());
        long deadline = System.nanoTime() + VirshSaveRestoreTest.TIMEOUT.toNanos();
        CounterLine last = SerialLog.read(serial).last().orElseThrow();
        while (last.count() <= countAtSave + VirshSaveRestoreTest.LINES && System.nanoTime() < deadline) {
            Thread.sleep(200);
            last = SerialLog.read(serial).last().orElseThrow();
        }
        assertThat(last.count()).as("the counter goes on after the restore").isGreaterThan(countAtSave + VirshSaveRestoreTest.LINES);
    }

    private void conf(String text) throws Exception {
        Files.writeString(HOOK_CONF, text);
        wroteConf = true;
    }
}
