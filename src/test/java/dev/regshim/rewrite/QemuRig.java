package dev.regshim.rewrite;

import dev.regshim.cli.Cli;
import dev.regshim.lab.guest.Continuity;
import dev.regshim.lab.guest.CounterLine;
import dev.regshim.lab.guest.SerialLog;
import dev.regshim.profile.Profile;
import dev.regshim.profile.source.ProfileSources;
import dev.regshim.qemu.IncomingResult;
import dev.regshim.qemu.QemuBinary;
import dev.regshim.qemu.QemuProcess;
import dev.regshim.regs.CpregArray;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegSet;
import dev.regshim.testing.CounterGuest;
import dev.regshim.testing.SerialLogs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The end-to-end harness: runs the counter guest on a source configuration, stops and saves it, saves paused
 * templates of destination configurations, and loads streams on a destination, continuing the guest. Runs and
 * templates are cached per configuration for the life of the rig (one test class), so scenarios share them.
 */
final class QemuRig {

    /** Counter lines each side prints: ~0.3 s of guest time at 10 lines per second. */
    static final int LINES = 3;
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** A QEMU configuration: the arguments after the base ones, without -m, -kernel, -serial or -incoming. */
    record Config(String label, List<String> args) {
        static Config of(String label, String machine, String cpu, String... extra) {
            List<String> a = new ArrayList<>(List.of("-M", machine, "-cpu", cpu));
            a.addAll(List.of(extra));
            return new Config(label, a);
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** A saved running guest: its stream and what its serial port printed up to the save. */
    record Saved(Config config, Path stream, Path serial) {
    }

    /** A load on a destination; {@code serial} holds what the guest printed after {@code cont} when it loaded. */
    record Loaded(IncomingResult result, Path serial) {
        boolean loaded() {
            return result.loaded();
        }
    }

    private final QemuBinary qemu;
    private final Path dir;
    private final Map<String, Saved> runs = new ConcurrentHashMap<>();
    private final Map<String, Path> templates = new ConcurrentHashMap<>();
    private int seq;

    QemuRig(QemuBinary qemu, Path dir) {
        this.qemu = qemu;
        this.dir = dir;
    }

    QemuBinary qemu() {
        return qemu;
    }

    Path dir() {
        return dir;
    }

    synchronized Path file(String name) {
        return dir.resolve((++seq) + "-" + name.replaceAll("[^A-Za-z0-9._-]", "_"));
    }

    private List<String> args(Config c, String... more) {
        List<String> a = new ArrayList<>(c.args());
        a.addAll(List.of("-m", "64"));
        a.addAll(List.of(more));
        return a;
    }

    /** The counter guest run on {@code c} for {@link #LINES} lines, stopped and saved (cached per configuration). */
    Saved running(Config c) {
        return runs.computeIfAbsent(c.label(), k -> runAndSave(c));
    }

    /** A fresh run (not cached). */
    Saved runAndSave(Config c) {
        Path serial = file(c.label() + ".src.serial");
        Path stream = file(c.label() + ".mig");
        try (QemuProcess src = QemuProcess.builder(qemu).args(args(c, "-kernel", CounterGuest.elf().toString()))
                .serialFile(serial).start()) {
            SerialLogs.awaitLines(serial, LINES, TIMEOUT);
            src.stop();
            src.migrateToFile(stream);
        }
        return new Saved(c, stream, serial);
    }

    /** A paused ({@code -S}) save of {@code c}: the destination's own registers (cached per configuration). */
    Path template(Config c) {
        return templates.computeIfAbsent(c.label(), k -> {
            Path t = file(c.label() + ".template.mig");
            try (QemuProcess q = QemuProcess.builder(qemu).args(args(c, "-S")).start()) {
                q.migrateToFile(t);
            }
            return t;
        });
    }

    /** Loads {@code stream} on {@code c}; when it loads, continues the guest and waits for {@link #LINES} lines. */
    Loaded load(Config c, Path stream) {
        Path serial = file(c.label() + ".dst.serial");
        try (QemuProcess dst = QemuProcess.builder(qemu).args(args(c)).serialFile(serial).incomingDefer().start()) {
            dst.migrateIncomingFromFile(stream);
            IncomingResult r = dst.waitForIncomingResult(TIMEOUT);
            if (r.loaded()) {
                assertThat(r.runState()).as("a stopped source's state comes back paused").isEqualTo("paused");
                dst.cont();
                SerialLogs.awaitLines(serial, LINES, TIMEOUT);
            }
            return new Loaded(r, serial);
        }
    }

    /** Asserts the guest resumed exactly: count +1, the program's registers unchanged, ISAR1 only as allowed. */
    static Continuity.Report assertContinues(Saved src, Loaded dst, boolean isar1MayChange) {
        assertThat(dst.loaded()).as(dst.result().summary()).isTrue();
        Continuity.Report r = Continuity.check(src.serial(), dst.serial(), isar1MayChange);
        assertThat(r.ok()).as(r.problem()).isTrue();
        assertThat(r.destinationFirst()).isEqualTo(r.sourceLast() + 1);
        assertThat(r.destinationLines()).isGreaterThanOrEqualTo(LINES);
        assertThat(SerialLog.read(dst.serial()).lines()).allSatisfy(
                l -> assertThat(CounterGuest.hasProgramValues(l)).as(l.registers()).isTrue());
        return r;
    }

    /** The ID_AA64ISAR1_EL1 value the guest printed last on the destination. */
    static long lastIsar1(Loaded dst) {
        List<CounterLine> lines = SerialLog.read(dst.serial()).lines();
        return lines.get(lines.size() - 1).isar1();
    }

    /** The vCPU 0 cpreg array of a stream file. */
    static CpregArray cpregs(Path stream) {
        Profile p = ProfileSources.resolve(stream.toString());
        return p.vcpu(0).orElseThrow().cpregs();
    }

    static long value(Path stream, String register) {
        return cpregs(stream).valueOf(dev.regshim.regs.RegParser.parse(register)).orElseThrow();
    }

    /** Names of the registers in {@code a}'s vCPU 0 list but not in {@code b}'s. */
    static TreeSet<String> onlyIn(Path a, Path b) {
        RegSet only = cpregs(a).idSet().minus(cpregs(b).idSet());
        TreeSet<String> names = new TreeSet<>();
        for (RegId id : only) {
            names.add(RegCatalog.get().name(id));
        }
        return names;
    }

    /**
     * Asserts that QEMU refuses the unmodified stream on {@code dst} and that {@code regshim check} predicted
     * exactly the first line QEMU printed (and that line is {@code expectedFirst}).
     */
    void assertUnmodifiedFailsAsPredicted(Saved src, Config dst, String expectedFirst, String... checkArgs) {
        Loaded l = load(dst, src.stream());
        assertThat(l.loaded()).as("the unmodified stream must not load on " + dst).isFalse();
        assertThat(l.result().exitCode()).hasValue(1);
        List<String> lines = l.result().errorLines();
        assertThat(lines).isNotEmpty();
        assertThat(lines.get(0)).isEqualTo(expectedFirst);
        List<String> args = new java.util.ArrayList<>(List.of("check", "--from", src.stream().toString(), "--to",
                template(dst).toString()));
        args.addAll(List.of(checkArgs));
        Cli.Run check = Cli.run(args.toArray(new String[0]));
        assertThat(check.exit()).as(check.all()).isEqualTo(1);
        List<String> predicted = check.out().lines().map(String::strip)
                .filter(s -> s.startsWith(QemuBinary.EXECUTABLE + ": ")).toList();
        assertThat(predicted).as(check.out()).isNotEmpty();
        assertThat(predicted.get(0)).isEqualTo(QemuBinary.EXECUTABLE + ": " + lines.get(0));
    }

    static boolean tempFilesLeft(Path dir) throws java.io.IOException {
        try (var s = Files.list(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(".regshim-tmp"));
        }
    }
}
