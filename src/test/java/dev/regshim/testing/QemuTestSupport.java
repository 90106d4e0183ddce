package dev.regshim.testing;

import dev.regshim.qemu.QemuBinary;
import dev.regshim.qemu.QemuException;
import dev.regshim.release.QemuVersion;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How tests get at real QEMU and its tools. The policy is the project's: a test that needs something absent is
 * skipped on a developer machine but FAILS when env {@code CI=true}, so CI can never go green by skipping.
 *
 * <p>QEMU 10.0 and 11.1 are provided by {@code scripts/get-qemu.sh 10.0} and {@code 11.1}, which {@code .ci/run}
 * runs before the tests; on a developer machine run them once by hand (idempotent, cached under
 * {@code ~/.cache/regshim}).
 */
public final class QemuTestSupport {

    private static volatile QemuBinary qemu;

    private QemuTestSupport() {
    }

    public static boolean isCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** The default {@code qemu-system-aarch64} (7.2 on this project's machines), or skip/fail. */
    public static QemuBinary requireQemu() {
        QemuBinary b = qemu;
        if (b == null) {
            Optional<QemuBinary> found = QemuBinary.find();
            if (found.isEmpty()) {
                missing(QemuBinary.EXECUTABLE + " (set " + QemuBinary.ENV_QEMU + " or install qemu-system-arm)");
            }
            b = found.get();
            try {
                b.version();
            } catch (QemuException e) {
                missing("a working " + QemuBinary.EXECUTABLE + " (" + e.getMessage() + ")");
            }
            qemu = b;
        }
        return b;
    }

    /** QEMU 11.1.x from {@code scripts/get-qemu.sh 11.1}, or skip/fail. */
    public static QemuBinary requireQemu11() {
        return SERIES.computeIfAbsent("11.1", k -> series(k, QemuBinary.qemu11(), QemuBinary.ENV_QEMU11));
    }

    /** QEMU 10.0.x from {@code scripts/get-qemu.sh 10.0}, or skip/fail. */
    public static QemuBinary requireQemu10() {
        return SERIES.computeIfAbsent("10.0", k -> series(k, QemuBinary.qemu10(), QemuBinary.ENV_QEMU10));
    }

    private static final java.util.Map<String, QemuBinary> SERIES = new java.util.concurrent.ConcurrentHashMap<>();

    private static QemuBinary series(String series, Optional<QemuBinary> found, String env) {
        if (found.isEmpty()) {
            missing("QEMU " + series + " (run scripts/get-qemu.sh " + series + ", or set " + env + ")");
        }
        return found.get();
    }

    /** An executable on PATH (e.g. {@code aarch64-linux-gnu-as}, {@code zstd}), or skip/fail. */
    public static Path requireTool(String executable) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, executable);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        missing(executable + " on PATH");
        throw new AssertionError("unreachable");
    }

    /** The arguments of the paused guests most tests use: {@code -M virt -cpu CPU -m 64} plus extras. */
    public static List<String> virt(String cpu, String... extra) {
        List<String> args = new ArrayList<>(List.of("-M", "virt", "-cpu", cpu, "-m", "64"));
        args.addAll(List.of(extra));
        return args;
    }

    public static QemuVersion version(QemuBinary b) {
        return b.version();
    }

    private static void missing(String what) {
        if (isCi()) {
            Assertions.fail("CI=true but the test needs " + what);
        }
        Assumptions.abort("skipped: needs " + what);
    }
}
