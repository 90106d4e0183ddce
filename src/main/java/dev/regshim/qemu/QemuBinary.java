package dev.regshim.qemu;

import dev.regshim.release.QemuVersion;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A {@code qemu-system-aarch64} executable and its version.
 *
 * <p>Where regshim looks:
 * <ul>
 *   <li>{@link #find()}: the file named by env {@value #ENV_QEMU}, else {@value #EXECUTABLE} on {@code PATH}.</li>
 *   <li>{@link #qemu10()} / {@link #qemu11()}: the file named by env {@value #ENV_QEMU10} /
 *       {@value #ENV_QEMU11}, else the wrapper that {@code scripts/get-qemu.sh 10.0|11.1} installs in
 *       {@code ${REGSHIM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/regshim}/qemu-10.0/} or {@code qemu-11.1/};
 *       only accepted when it reports a version of that series.</li>
 * </ul>
 */
public final class QemuBinary {

    public static final String EXECUTABLE = "qemu-system-aarch64";
    public static final String ENV_QEMU = "REGSHIM_QEMU";
    public static final String ENV_QEMU10 = "REGSHIM_QEMU10";
    public static final String ENV_QEMU11 = "REGSHIM_QEMU11";
    public static final String ENV_CACHE = "REGSHIM_CACHE";
    /** Directories under the cache that {@code scripts/get-qemu.sh} fills by default. */
    public static final String QEMU10_DIR = "qemu-10.0";
    public static final String QEMU11_DIR = "qemu-11.1";

    private static final long VERSION_TIMEOUT_MS = 15_000;
    private static final int VERSION_OUTPUT_LIMIT = 64 * 1024;

    private final Path path;
    private volatile QemuVersion version;

    private QemuBinary(Path path) {
        this.path = path;
    }

    /** A binary at a known path (not checked until {@link #version()}). */
    public static QemuBinary at(Path path) {
        return new QemuBinary(path.toAbsolutePath());
    }

    /** The QEMU regshim uses by default: env {@value #ENV_QEMU}, else {@value #EXECUTABLE} on PATH. */
    public static Optional<QemuBinary> find() {
        return find(System.getenv());
    }

    static Optional<QemuBinary> find(Map<String, String> env) {
        String explicit = env.get(ENV_QEMU);
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            return Files.isExecutable(p) ? Optional.of(at(p)) : Optional.empty();
        }
        return dev.regshim.util.Executables.onPath(EXECUTABLE, env.get("PATH")).map(QemuBinary::at);
    }

    /** Like {@link #find()} but throws a message saying where it looked. */
    public static QemuBinary locate() {
        return find().orElseThrow(() -> new QemuException(
                EXECUTABLE + " not found: set " + ENV_QEMU + " or put it on PATH"
                        + (System.getenv(ENV_QEMU) != null ? " (" + ENV_QEMU + "=" + System.getenv(ENV_QEMU)
                        + " is not an executable file)" : "")));
    }

    /** A QEMU 10.0.x fetched by {@code scripts/get-qemu.sh 10.0} (or named by {@value #ENV_QEMU10}), if it works. */
    public static Optional<QemuBinary> qemu10() {
        return qemu10(System.getenv());
    }

    static Optional<QemuBinary> qemu10(Map<String, String> env) {
        return series(env, ENV_QEMU10, QEMU10_DIR, 10, 0);
    }

    /** A QEMU 11.1.x fetched by {@code scripts/get-qemu.sh 11.1} (or named by {@value #ENV_QEMU11}), if it works. */
    public static Optional<QemuBinary> qemu11() {
        return series(System.getenv(), ENV_QEMU11, QEMU11_DIR, 11, 1);
    }

    private static Optional<QemuBinary> series(Map<String, String> env, String envName, String dir, int major,
                                               int minor) {
        String explicit = env.get(envName);
        Path candidate = explicit != null && !explicit.isBlank()
                ? Path.of(explicit)
                : cacheDir(env).resolve(dir).resolve(EXECUTABLE);
        if (!Files.isExecutable(candidate)) {
            return Optional.empty();
        }
        QemuBinary b = at(candidate);
        try {
            QemuVersion v = b.version();
            return v.major() == major && v.minor() == minor ? Optional.of(b) : Optional.empty();
        } catch (QemuException e) {
            return Optional.empty();
        }
    }

    /** regshim's cache directory: {@value #ENV_CACHE}, else {@code $XDG_CACHE_HOME/regshim}, else {@code ~/.cache/regshim}. */
    public static Path cacheDir() {
        return cacheDir(System.getenv());
    }

    static Path cacheDir(Map<String, String> env) {
        String explicit = env.get(ENV_CACHE);
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("regshim");
    }

    public Path path() {
        return path;
    }

    /** The version {@code --version} reports (run once, then cached). */
    public QemuVersion version() {
        QemuVersion v = version;
        if (v == null) {
            v = parseVersion(runVersion());
            version = v;
        }
        return v;
    }

    /** The version named by the output of {@code --version}; throws when it names none. */
    public static QemuVersion parseVersion(String versionOutput) {
        return QemuVersion.ofVersionOutput(versionOutput).orElseThrow(() -> {
            String first = versionOutput.lines().findFirst().orElse("").strip();
            return new QemuException("not a QEMU version line: '" + abbreviate(first) + "'");
        });
    }

    private static String abbreviate(String s) {
        int max = 120;
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }

    private String runVersion() {
        Process p;
        try {
            p = new ProcessBuilder(path.toString(), "--version").redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new QemuException("cannot run " + path + " --version: " + e.getMessage(), e);
        }
        try {
            p.getOutputStream().close();
            byte[] out = readBounded(p.getInputStream());
            if (!p.waitFor(VERSION_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                throw new QemuException(path + " --version did not finish within " + VERSION_TIMEOUT_MS + " ms");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new QemuException(path + " --version exited with status " + p.exitValue() + ": "
                        + text.lines().findFirst().orElse("").strip());
            }
            return text;
        } catch (IOException e) {
            throw new QemuException("cannot read the output of " + path + " --version: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QemuException("interrupted while running " + path + " --version", e);
        } finally {
            p.destroyForcibly();
        }
    }

    private static byte[] readBounded(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int n;
        while ((n = in.read(buf)) > 0) {
            if (out.size() < VERSION_OUTPUT_LIMIT) {
                out.write(buf, 0, Math.min(n, VERSION_OUTPUT_LIMIT - out.size()));
            }
        }
        return out.toByteArray();
    }

    @Override
    public String toString() {
        QemuVersion v = version;
        return path + (v != null ? " (" + v.number() + ")" : "");
    }
}
