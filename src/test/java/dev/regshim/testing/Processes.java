package dev.regshim.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs a short-lived tool (gcc, chromium, a QEMU that exits at once) with a timeout and captured output. */
public final class Processes {

    /** Output beyond this is dropped: the tools here print a few lines, or a DOM. */
    private static final int MAX_OUTPUT = 32 << 20;

    public record Result(int exit, String out, String err) {
    }

    private Processes() {
    }

    public static Result run(List<String> command, Duration timeout) {
        return run(new ProcessBuilder(command), command, timeout);
    }

    /** {@link #run(List, Duration)} in {@code dir}, standard error merged into {@link Result#out()} as printed. */
    public static Result runMerged(Path dir, List<String> command, Duration timeout) {
        return run(new ProcessBuilder(command).directory(dir == null ? null : dir.toFile()).redirectErrorStream(true),
                command, timeout);
    }

    private static Result run(ProcessBuilder builder, List<String> command, Duration timeout) {
        try {
            Process p = builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread to = drain(p.getInputStream(), out);
            Thread te = drain(p.getErrorStream(), err);
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor();
                throw new AssertionError("timed out after " + timeout + ": " + command);
            }
            to.join();
            te.join();
            return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static Thread drain(InputStream in, ByteArrayOutputStream sink) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (sink.size() < MAX_OUTPUT) {
                        sink.write(buf, 0, n);
                    }
                }
            } catch (IOException ignored) {
                // the process went away
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** An executable by absolute path or on PATH. */
    public static Optional<Path> which(String name) {
        if (name.contains("/")) {
            Path p = Path.of(name);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
