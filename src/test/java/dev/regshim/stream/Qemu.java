package dev.regshim.stream;

import org.junit.jupiter.api.Assumptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drives the real qemu-system-aarch64 (TCG, -M virt) over HMP on stdin, for tests tagged "qemu". Missing QEMU skips
 * such tests on a developer machine and fails them when CI=true.
 */
final class Qemu {

    static final String BINARY = System.getProperty("regshim.qemu", "qemu-system-aarch64");
    private static final Pattern STATUS = Pattern.compile("VM status: ([a-z-]+)(?: \\(([a-z-]+)\\))?");
    private static final long TIMEOUT_MS = 60_000;

    private Qemu() {
    }

    static void require() {
        boolean present;
        try {
            Process p = new ProcessBuilder(BINARY, "--version").redirectErrorStream(true).start();
            present = p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            present = false;
        }
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError(BINARY + " is required when CI=true");
        }
        Assumptions.assumeTrue(present, BINARY + " not installed");
    }

    static List<String> base(String... args) {
        List<String> cmd = new ArrayList<>(List.of(BINARY, "-nodefaults", "-display", "none", "-monitor", "stdio"));
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    /** Starts QEMU paused with {@code args} and saves its state to {@code out} with migrate "exec:cat > out". */
    static void save(Path out, String... args) throws IOException, InterruptedException {
        List<String> cmd = base(args);
        cmd.add("-S");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(("migrate \"exec:cat > " + out + "\"\nquit\n").getBytes(StandardCharsets.UTF_8));
        }
        String log = drain(p.getInputStream());
        if (!p.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("QEMU save timed out: " + log);
        }
        if (!Files.isRegularFile(out) || Files.size(out) == 0) {
            throw new AssertionError("QEMU wrote no stream: " + log);
        }
    }

    /** The outcome of loading a stream. */
    record Load(int exitCode, String runstate, String stderr) {
        boolean loaded() {
            return runstate != null && !runstate.equals("inmigrate");
        }
    }

    /** Starts QEMU with {@code args} and -incoming "exec:cat stream"; returns the run state after the load. */
    static Load load(Path stream, String... args) throws IOException, InterruptedException {
        List<String> cmd = base(args);
        cmd.add("-incoming");
        cmd.add("exec:cat " + stream);
        Path err = Files.createTempFile("qemu-load", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> copy(p.getInputStream(), out));
            reader.start();
            OutputStream in = p.getOutputStream();
            long deadline = System.currentTimeMillis() + TIMEOUT_MS;
            String state = null;
            while (System.currentTimeMillis() < deadline) {
                if (!p.isAlive()) {
                    break;
                }
                try {
                    in.write("info status\n".getBytes(StandardCharsets.UTF_8));
                    in.flush();
                } catch (IOException e) {
                    break; // exited meanwhile
                }
                Thread.sleep(30);
                String s = lastStatus(out);
                if (s != null && !s.equals("inmigrate")) {
                    state = s;
                    break;
                }
            }
            if (p.isAlive()) {
                try {
                    in.write("quit\n".getBytes(StandardCharsets.UTF_8));
                    in.flush();
                } catch (IOException ignored) {
                    // already gone
                }
            }
            if (!p.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
            }
            reader.join(5000);
            return new Load(p.exitValue(), state, Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
        }
    }

    private static String lastStatus(ByteArrayOutputStream out) {
        String text;
        synchronized (out) {
            text = out.toString(StandardCharsets.UTF_8);
        }
        Matcher m = STATUS.matcher(text);
        String last = null;
        while (m.find()) {
            last = m.group(2) != null ? m.group(2) : m.group(1);
        }
        return last;
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] b = new byte[4096];
        try {
            int n;
            while ((n = in.read(b)) > 0) {
                synchronized (out) {
                    out.write(b, 0, n);
                }
            }
        } catch (IOException ignored) {
            // process ended
        }
    }

    private static String drain(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
}
