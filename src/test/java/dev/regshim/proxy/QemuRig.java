package dev.regshim.proxy;

import dev.regshim.qemu.IncomingResult;
import dev.regshim.qemu.MigrationResult;
import dev.regshim.qemu.QemuBinary;
import dev.regshim.qemu.QemuProcess;
import dev.regshim.testing.CounterGuest;
import dev.regshim.testing.QemuTestSupport;
import dev.regshim.lab.guest.SerialLog;
import dev.regshim.testing.SerialLogs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real QEMU peers for the proxy's end-to-end tests: a source running the counter guest, a destination waiting on
 * {@code -incoming tcp:127.0.0.1:0}, and the destination's profile (a stream a paused QEMU of the same configuration
 * saved), all on 127.0.0.1.
 */
final class QemuRig {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Counter lines the source prints before it is migrated, and the destination after. */
    static final int LINES = 3;

    private final Map<List<String>, Path> profiles = new ConcurrentHashMap<>();

    final QemuBinary qemu;
    final Path counter;
    final Path dir;

    QemuRig(Path dir) {
        this(dir, QemuTestSupport.requireQemu());
    }

    QemuRig(Path dir, QemuBinary qemu) {
        this.qemu = qemu;
        this.counter = CounterGuest.elf();
        this.dir = dir;
    }

    /** {@code -M virt -cpu CPU -m 64 [-smp N]}. */
    static List<String> config(String cpu, int smp) {
        List<String> a = new ArrayList<>(QemuTestSupport.virt(cpu));
        if (smp > 1) {
            a.addAll(List.of("-smp", String.valueOf(smp)));
        }
        return a;
    }

    /** The counter guest running under {@code config}, its serial output in {@code serial}, after LINES lines. */
    QemuProcess source(List<String> config, Path serial) {
        QemuProcess p = QemuProcess.builder(qemu).args(config).args("-kernel", counter.toString()).serialFile(serial)
                .start();
        SerialLogs.awaitLines(serial, LINES, TIMEOUT);
        return p;
    }

    /** A destination listening for an incoming migration on a free loopback port. */
    QemuProcess destination(List<String> config, Path serial, Map<String, Boolean> capabilities) {
        QemuProcess p = QemuProcess.builder(qemu).args(config).serialFile(serial).incomingDefer().start();
        if (!capabilities.isEmpty()) {
            p.setMigrationCapabilities(capabilities);
        }
        p.migrateIncoming("tcp:127.0.0.1:0");
        return p;
    }

    /** The profile of {@code config}: the stream a paused QEMU with it saves (made once per configuration). */
    Path profile(List<String> config) {
        return profiles.computeIfAbsent(List.copyOf(config), c -> {
            Path out = dir.resolve("profile-" + profiles.size() + "-" + String.join("_", c).replaceAll("[^\\w.-]", "")
                    + ".mig");
            try (QemuProcess p = QemuProcess.builder(qemu).args(c).args("-S").start()) {
                p.migrateToFile(out);
            }
            if (!Files.isRegularFile(out)) {
                throw new AssertionError("no profile stream for " + c);
            }
            return out;
        });
    }

    /** Saves the running source to a file (a stream it saved moments before) and lets it run on. */
    static Path saveAndContinue(QemuProcess source, Path file) {
        source.migrateToFile(file);
        source.cont();
        return file;
    }

    static MigrationResult migrate(QemuProcess source, int port, Map<String, Boolean> capabilities) {
        if (!capabilities.isEmpty()) {
            source.setMigrationCapabilities(capabilities);
        }
        source.startMigration("tcp:127.0.0.1:" + port);
        return source.awaitMigration(TIMEOUT);
    }

    /** The destination's end: loaded (and its run state) or failed (and its error lines). */
    static IncomingResult incoming(QemuProcess destination) {
        return destination.waitForIncomingResult(TIMEOUT);
    }
}
