package dev.regshim.lab;

import dev.regshim.util.SafeFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * What runs inside a lab host: Debian's arm64 {@code qemu-system-aarch64} of one series with the libraries it needs
 * and busybox, unpacked by {@code get-qemu.sh --arch arm64} into {@code qemu-SERIES-arm64/} in regshim's cache
 * ({@code qemu-system-aarch64} there is a wrapper that runs the binary through its own dynamic loader).
 */
public record LabUserland(String series, String version, Path dir) {

    /** The QEMU series the lab can run on a KVM host: Debian bookworm's, trixie's and trixie-backports'. */
    public static final List<String> SERIES = List.of("7.2", "10.0", "11.1");
    static final Duration FETCH_TIMEOUT = Duration.ofMinutes(15);

    /** The userland of a series, fetched (and cached) if needed. */
    public static LabUserland of(String series, Consumer<String> progress) {
        if (!SERIES.contains(series)) {
            throw new LabException("unknown QEMU series '" + dev.regshim.util.Text.safe(series, 20) + "' for the lab host "
                    + "(known: " + String.join(", ", SERIES) + ")");
        }
        Path dir = LabResources.cacheDir().resolve("qemu-" + series + "-arm64");
        if (!complete(dir)) {
            List<String> err = new ArrayList<>();
            List<String> cmd = List.of("bash", LabResources.qemuScript().toString(), "--arch", "arm64", series, dir.toString());
            OptionalInt status;
            try (ChildProcess p = ChildProcess.start("get-qemu", cmd, null, line -> { }, line -> {
                synchronized (err) {
                    err.add(line);
                }
                if (line.startsWith("get-qemu")) {
                    progress.accept(line.replaceFirst("^get-qemu [^:]*: ", ""));
                }
            })) {
                status = p.await(FETCH_TIMEOUT);
            }
            if (status.isEmpty() || status.getAsInt() != 0 || !complete(dir)) {
                String last;
                synchronized (err) {
                    last = err.isEmpty() ? "status " + status : err.get(err.size() - 1);
                }
                throw new LabException("cannot fetch Debian's arm64 QEMU " + series + ": " + dev.regshim.util.Text.safe(last, 160));
            }
        }
        try {
            return new LabUserland(series, Files.readString(dir.resolve("version.txt")).strip(), dir);
        } catch (java.io.IOException e) {
            throw new LabException("cannot read " + dir.resolve("version.txt") + ": " + SafeFiles.reason(e));
        }
    }

    private static boolean complete(Path dir) {
        return Files.isExecutable(dir.resolve("qemu-system-aarch64")) && Files.isRegularFile(dir.resolve("version.txt"))
                && Files.isRegularFile(dir.resolve("root/bin/busybox"));
    }

    public Path busybox() {
        return dir.resolve("root/bin/busybox");
    }
}
