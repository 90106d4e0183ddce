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

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Images made by a real libvirt daemon ({@code virsh save} of an aarch64 TCG domain running the counter guest), read,
 * rewritten by regshim, and restored by {@code virsh restore} with the guest counting on. Needs libvirtd and virsh
 * ({@code apt-get install libvirt-daemon-system libvirt-clients}, daemon started as in .ci/run): skipped without
 * them, a failure when CI=true.
 */
@Tag("libvirt")
@Tag("qemu")
class VirshSaveRestoreTest {

    static final String URI = "qemu:///system";
    static final Duration TIMEOUT = Duration.ofSeconds(90);
    static final int LINES = 5;

    private Path dir;
    private String domain;

    @BeforeEach
    void setUp() throws Exception {
        requireDaemon();
        QemuTestSupport.requireQemu();
        dir = sharedDir("regshim-libvirt-");
        domain = "regshim-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100000;
    }

    @AfterEach
    void tearDown() throws Exception {
        if (domain != null && dir != null) {
            virsh(false, "destroy", domain);
            virsh(false, "undefine", domain);
        }
        if (dir != null) {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A temporary directory libvirt's QEMU, which runs as its own user, can reach and write. */
    static Path sharedDir(String prefix) throws java.io.IOException {
        Path d = Files.createTempDirectory(Path.of("/var/tmp"), prefix,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
        return d;
    }

    static void requireDaemon() throws Exception {
        String why = null;
        if (!Files.isExecutable(Path.of("/usr/bin/virsh"))) {
            why = "virsh (apt-get install libvirt-clients)";
        } else {
            String out = run(false, List.of("virsh", "-c", URI, "uri"));
            if (!out.startsWith("exit 0")) {
                why = "a running libvirt daemon (libvirtd -d, see .ci/run): " + out.replace('\n', ' ');
            }
        }
        if (why != null) {
            if (QemuTestSupport.isCi()) {
                Assertions.fail("CI=true but the test needs " + why);
            }
            Assumptions.abort("needs " + why);
        }
    }

    static String run(boolean check, List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + ": timed out");
        }
        String r = "exit " + p.exitValue() + "\n" + out;
        if (check && p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", cmd) + ": " + r);
        }
        return r;
    }

    static String virsh(boolean check, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("virsh", "-c", URI));
        cmd.addAll(List.of(args));
        return run(check, cmd);
    }

    /** An aarch64 TCG domain that boots the counter guest directly, its serial port appended to a file. */
    static String domainXml(String name, Path kernel, Path serial) {
        return "<domain type='qemu'>\n"
                + "  <name>" + name + "</name>\n"
                + "  <memory unit='MiB'>64</memory>\n"
                + "  <vcpu>1</vcpu>\n"
                + "  <os>\n"
                + "    <type arch='aarch64' machine='virt'>hvm</type>\n"
                + "    <kernel>" + kernel + "</kernel>\n"
                + "  </os>\n"
                + "  <cpu mode='custom' match='exact'><model fallback='forbid'>cortex-a57</model></cpu>\n"
                + "  <devices>\n"
                + "    <emulator>/usr/bin/qemu-system-aarch64</emulator>\n"
                + "    <serial type='file'><source path='" + serial + "' append='on'/><target port='0'/></serial>\n"
                + "    <memballoon model='none'/>\n"
                + "  </devices>\n"
                + "</domain>\n";
    }

    @Test
    void aRealVirshSaveImageIsInspectedRewrittenAndRestoredWithTheGuestCounting() throws Exception {
        Path kernel = dir.resolve("counter.elf");
        Files.copy(CounterGuest.elf(), kernel);
        Files.setPosixFilePermissions(kernel, PosixFilePermissions.fromString("rw-r--r--"));
        Path serial = dir.resolve("serial.log");
        Path xml = dir.resolve("domain.xml");
        Files.writeString(xml, domainXml(domain, kernel, serial));
        virsh(true, "define", xml.toString());
        virsh(true, "start", domain);
        SerialLogs.awaitLines(serial, LINES, TIMEOUT);

        Path image = dir.resolve("saved.img");
        virsh(true, "save", domain, image.toString());
        long countAtSave = SerialLog.read(serial).last().orElseThrow().count();

        Cli.Run inspect = Cli.run("inspect", image.toString());
        assertThat(inspect.exit()).as(inspect.err()).isZero();
        assertThat(inspect.out()).contains("cpu 0:").startsWith("container  libvirt save image v2")
                .contains("domain     " + domain + " (domain XML ");
        // --xml: the domain XML libvirt stored, as virsh save-image-dumpxml shows it
        Cli.Run xmlOnly = Cli.run("inspect", "--xml", image.toString());
        assertThat(xmlOnly.exit()).isZero();
        assertThat(xmlOnly.out()).startsWith("<domain").contains("<name>" + domain + "</name>").doesNotContain("cpu 0:");
        assertThat(virsh(true, "save-image-dumpxml", image.toString())).contains(xmlOnly.out().lines()
                .filter(l -> l.contains("<uuid>")).findFirst().orElseThrow().strip());

        Path rewritten = dir.resolve("rewritten.img");
        Cli.Run rw = Cli.run("rewrite", image.toString(), rewritten.toString(), "--to", image.toString());
        assertThat(rw.exit()).as(rw.all()).isZero();
        // libvirt reads the image regshim wrote: its header, its domain XML and the stream
        String xmlOut = virsh(true, "save-image-dumpxml", rewritten.toString());
        assertThat(xmlOut).contains("<name>" + domain + "</name>");
        Files.setPosixFilePermissions(rewritten, PosixFilePermissions.fromString("rw-r--r--"));

        virsh(true, "restore", rewritten.toString());
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        CounterLine last = SerialLog.read(serial).last().orElseThrow();
        while (last.count() <= countAtSave + LINES && System.nanoTime() < deadline) {
            Thread.sleep(200);
            last = SerialLog.read(serial).last().orElseThrow();
        }
        assertThat(last.count()).as("the counter goes on after the restore").isGreaterThan(countAtSave + LINES);
        assertThat(CounterGuest.hasProgramValues(last)).as("the guest's registers survived: " + last).isTrue();
        assertThat(SerialLog.read(serial).unparsed()).isEmpty();
    }

    @Test
    void planEmitLibvirtIsADomainFragmentLibvirtDefines() throws Exception {
        Cli.Run plan = Cli.run("plan", "--host", "k612=kernel:6.12", "--host", "k613=kernel:6.13", "--host", "k617=kernel:6.17",
                "-q", "--emit", "libvirt");
        assertThat(plan.exit()).as(plan.err()).isZero();
        String fragment = plan.out();
        String commandline = fragment.substring(fragment.indexOf("<qemu:commandline>"),
                fragment.indexOf("</qemu:commandline>") + "</qemu:commandline>".length());
        // the fragment merged into a whole domain, as its comment says: namespace on <domain>, arguments inside it
        String xml = domainXml(domain, Path.of("/usr/share/qemu/unused.elf"), dir.resolve("serial.log"))
                .replace("<domain type='qemu'>", "<domain type='qemu' xmlns:qemu='" + dev.regshim.plan.CompatEmitter.LIBVIRT_QEMU_NS + "'>")
                .replace("</domain>", commandline + "\n</domain>");
        Path file = dir.resolve("planned.xml");
        Files.writeString(file, xml);
        virsh(true, "define", file.toString());
        String defined = virsh(true, "dumpxml", domain);
        assertThat(defined).contains("<qemu:arg value='-global'/>")
                .contains("<qemu:arg value='driver=arm-cpu,property=kvm-enforced-regs,value=0x603000000013c103,,0x603000000013c512");
    }

    /** Runs the hook as libvirt does: arguments, the domain XML on standard input, settings in the environment. */
    private String hook(String xml, String operation, Path plan, boolean dryRun) throws Exception {
        Path in = dir.resolve("hook-in.xml");
        Files.writeString(in, xml);
        ProcessBuilder pb = new ProcessBuilder("scripts/libvirt-hook-qemu", domain, operation, "begin", "-")
                .redirectInput(in.toFile()).redirectErrorStream(false);
        pb.environment().put("REGSHIM_PLAN_XML", plan.toString());
        pb.environment().put("REGSHIM_HOOK_DRY_RUN", dryRun ? "1" : "0");
        pb.environment().put("REGSHIM", HookRuns.regshimCommand());
        pb.environment().put("REGSHIM_HOOK_CONF", dir.resolve("no-hook.conf").toString()); // not an operator's settings
        pb.environment().put("REGSHIM_FLEET", dir.resolve("no-fleet.txt").toString());
        pb.environment().put("REGSHIM_HOST_PROFILE", dir.resolve("no-host.json").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return "exit " + p.exitValue() + "\n" + err + "---\n" + out;
    }

    @Test
    void theHookAddsThePlansListsToARestoredDomainAndRefusesARejectedPlan() throws Exception {
        Path plan = dir.resolve("plan-libvirt.xml");
        Cli.Run emitted = Cli.run("plan", "--host", "k612=kernel:6.12", "--host", "k613=kernel:6.13", "--host", "k617=kernel:6.17",
                "-q", "--emit", "libvirt");
        Files.writeString(plan, emitted.out());
        String xml = domainXml(domain, Path.of("/var/tmp/unused.elf"), dir.resolve("serial.log"));
        String dry = hook(xml, "restore", plan, true);
        assertThat(dry).startsWith("exit 0\n").contains("dry run: would add the plan's register lists from " + plan
                + " (1 hidden, 3 fake)").endsWith("---\n");
        String added = hook(xml, "restore", plan, false);
        assertThat(added).startsWith("exit 0\n");
        String newXml = added.substring(added.indexOf("---\n") + 4);
        Path file = dir.resolve("hooked.xml");
        Files.writeString(file, newXml);
        virsh(true, "define", file.toString()); // libvirt accepts what the hook prints
        assertThat(virsh(true, "dumpxml", domain)).contains("property=kvm-enforced-regs,value=0x603000000013c103");
        assertThat(hook(newXml, "migrate", plan, false)).contains("passes (it carries the plan's lists)").endsWith("---\n");
        assertThat(hook(xml, "started", plan, false)).isEqualTo("exit 0\n---\n");
        Cli.Run rejected = Cli.run("plan", "--host", "a=kernel:6.13", "--host", "b=kernel:6.13+pauth", "--semantics", "series-v2",
                "-q", "--emit", "libvirt", "--force");
        Files.writeString(plan, rejected.out());
        assertThat(hook(xml, "restore", plan, false)).startsWith("exit 1\n").contains("is NOT ACCEPTED")
                .contains("b -> a: FAILS");
    }
}
