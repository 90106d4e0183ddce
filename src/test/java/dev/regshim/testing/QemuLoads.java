package dev.regshim.testing;

import dev.regshim.qemu.IncomingResult;
import dev.regshim.qemu.QemuBinary;
import dev.regshim.qemu.QemuProcess;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Saves a paused guest's state to a file and loads a file into a fresh QEMU, keeping what QEMU printed verbatim
 * (the same runs as the fidelity tests': 64 MiB unless the configuration says otherwise, {@code -S}).
 */
public final class QemuLoads {

    /** How a load ended, and QEMU's stderr as it printed it (program-name prefixes included). */
    public record Load(IncomingResult result, List<String> stderr) {
        public String log() {
            return String.join("\n", stderr) + "\n";
        }
    }

    private QemuLoads() {
    }

    public static void save(QemuBinary q, List<String> config, Path f) {
        try (QemuProcess p = QemuProcess.builder(q).args(args(config)).start()) {
            assertThat(p.migrateToFile(f).status()).isEqualTo("completed");
        }
    }

    public static Load load(QemuBinary q, List<String> config, Path stream) {
        try (QemuProcess p = QemuProcess.builder(q).args(args(config)).incomingDefer().start()) {
            p.migrateIncomingFromFile(stream);
            IncomingResult r = p.waitForIncomingResult(Duration.ofSeconds(20));
            return new Load(r, p.stderrLines());
        }
    }

    private static List<String> args(List<String> config) {
        List<String> args = new ArrayList<>(config);
        if (!args.contains("-m")) {
            args.addAll(List.of("-m", "64"));
        }
        args.add("-S");
        return args;
    }
}
