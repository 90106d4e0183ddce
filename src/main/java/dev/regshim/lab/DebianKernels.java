package dev.regshim.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Debian's arm64 kernels, through {@code get-kernel.sh} (a private apt configuration with
 * {@code APT::Architecture "arm64"}; apt checks the archive's signatures). Downloads and unpacked kernels are cached,
 * so a second request for the same kernel only reads the cache.
 */
public final class DebianKernels {

    /** A kernel version as a user writes it: a series ({@code 7.3}), a point release, or an exact rc name. */
    public static final Pattern VERSION = Pattern.compile("\\d{1,2}\\.\\d{1,3}(?:\\.\\d{1,4}|~rc\\d{1,2})?");
    static final Duration LIST_TIMEOUT = Duration.ofMinutes(5);
    static final Duration FETCH_TIMEOUT = Duration.ofMinutes(20);
    static final int EXIT_NOT_FOUND = 2;
    /** How the script starts its messages; errors (the last one says why it failed) carry "error:". */
    static final String PREFIX = "get-kernel:";
    static final String ERROR_PREFIX = PREFIX + " error:";

    /** One kernel Debian builds: upstream release, package, Debian version, suite. */
    public record Available(String upstream, String packageName, String debianVersion, String suite) {
    }

    private final Consumer<String> progress;

    public DebianKernels(Consumer<String> progress) {
        this.progress = progress;
    }

    /** Every generic-flavour arm64 kernel in Debian's suites. */
    public List<Available> list() {
        List<Available> out = new ArrayList<>();
        for (String line : run(List.of("list"), LIST_TIMEOUT)) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 4) {
                out.add(new Available(f[0], f[1], f[2], f[3]));
            }
        }
        return out;
    }

    /** The newest point release of a series ({@code 7.3}) or an exact one ({@code 6.12.117}), unpacked. */
    public KernelFiles fetch(String version, boolean withModules) {
        if (!VERSION.matcher(version).matches()) {
            throw new LabException("bad kernel version '" + version + "' (expected e.g. 7.3 or 6.12.117)");
        }
        List<String> args = new ArrayList<>(List.of("fetch"));
        if (withModules) {
            args.add("--modules");
        }
        args.add(version);
        return KernelFiles.fromDirectory(lastLine(run(args, FETCH_TIMEOUT)), KernelFiles.ORIGIN_DEBIAN);
    }

    /** A Debian kernel package file the user has, unpacked into the cache (keyed by its content). */
    public KernelFiles unpack(Path deb, boolean withModules) {
        Path dest = LabResources.cacheDir().resolve("kernels").resolve("local-" + DebFile.hash(deb));
        List<String> args = new ArrayList<>(List.of("unpack"));
        if (withModules) {
            args.add("--modules");
        }
        args.add(deb.toAbsolutePath().toString());
        args.add(dest.toString());
        return KernelFiles.fromDirectory(lastLine(run(args, FETCH_TIMEOUT)), KernelFiles.ORIGIN_DEB);
    }

    private static Path lastLine(List<String> out) {
        if (out.isEmpty()) {
            throw new LabException("get-kernel.sh printed no result");
        }
        return Path.of(out.get(out.size() - 1).strip());
    }

    private List<String> run(List<String> args, Duration timeout) {
        Path script = LabResources.kernelScript();
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
        cmd.addAll(args);
        List<String> out = new ArrayList<>();
        List<String> err = new ArrayList<>();
        OptionalInt status;
        try (ChildProcess p = ChildProcess.start("get-kernel", cmd, null, out::add, line -> {
            synchronized (err) {
                err.add(line);
            }
            if (line.startsWith(PREFIX) && !line.startsWith(ERROR_PREFIX)) {
                progress.accept(line.substring(PREFIX.length()).strip());
            }
        })) {
            status = p.await(timeout);
        }
        if (status.isEmpty()) {
            throw new LabException("get-kernel.sh " + String.join(" ", args) + " did not finish within "
                    + timeout.toMinutes() + " min");
        }
        if (status.getAsInt() != 0) {
            String last = lastMessage(err);
            throw new LabException(last.isEmpty() ? "get-kernel.sh " + args.get(0) + " failed with status " + status.getAsInt()
                    : last);
        }
        return out;
    }

    private static String lastMessage(List<String> err) {
        synchronized (err) {
            for (int i = err.size() - 1; i >= 0; i--) {
                String l = err.get(i).strip();
                if (l.startsWith(ERROR_PREFIX)) {
                    return dev.regshim.util.Text.safe(l.substring(ERROR_PREFIX.length()).strip(), 200);
                }
            }
            for (int i = err.size() - 1; i >= 0; i--) {
                if (!err.get(i).isBlank()) {
                    return "get-kernel.sh: " + dev.regshim.util.Text.safe(err.get(i).strip(), 200);
                }
            }
        }
        return "";
    }
}
