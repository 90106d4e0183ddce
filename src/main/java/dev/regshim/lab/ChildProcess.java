package dev.regshim.lab;

import dev.regshim.util.SafeFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A process the lab starts (a script, the cross compiler, an outer QEMU), whose output lines go to consumers as they
 * arrive (each line cut at {@value #MAX_LINE_CHARS} characters, so a runaway child cannot grow the heap), and which is
 * killed with its descendants when it overruns its time, when it is closed, or when the JVM exits (Ctrl-C included).
 */
final class ChildProcess implements AutoCloseable {

    static final int MAX_LINE_CHARS = 8192;

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(ChildProcess::destroyTree), "regshim-lab-reaper"));
    }

    private final String name;
    private final Process process;
    private final Thread outPump;
    private final Thread errPump;

    private ChildProcess(String name, Process process, Consumer<String> out, Consumer<String> err) {
        this.name = name;
        this.process = process;
        LIVE.add(process);
        this.outPump = pump(process.getInputStream(), out, name + "-out");
        this.errPump = pump(process.getErrorStream(), err, name + "-err");
    }

    /** Starts {@code command} in {@code dir} (null: the current one) with stdin closed. */
    static ChildProcess start(String name, List<String> command, Path dir, Consumer<String> out, Consumer<String> err) {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            return new ChildProcess(name, p, out, err);
        } catch (IOException e) {
            throw new LabException("cannot run " + command.get(0) + ": " + SafeFiles.reason(e));
        }
    }

    /**
     * Waits for the exit and for both output streams to drain; returns the exit status, or empty when {@code limit}
     * passed first (the process is then killed).
     */
    java.util.OptionalInt await(Duration limit) {
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                destroyTree(process);
                drain();
                return java.util.OptionalInt.empty();
            }
            drain();
            return java.util.OptionalInt.of(process.exitValue());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            destroyTree(process);
            throw new LabException(name + ": interrupted");
        } finally {
            LIVE.remove(process);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        destroyTree(process);
        LIVE.remove(process);
    }

    private void drain() throws InterruptedException {
        outPump.join(TimeUnit.SECONDS.toMillis(5));
        errPump.join(TimeUnit.SECONDS.toMillis(5));
    }

    private static void destroyTree(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread pump(InputStream in, Consumer<String> sink, String threadName) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                StringBuilder line = new StringBuilder();
                int c;
                while ((c = r.read()) >= 0) {
                    if (c == '\n') {
                        sink.accept(line.toString());
                        line.setLength(0);
                    } else if (line.length() < MAX_LINE_CHARS) {
                        line.append((char) c);
                    }
                }
                if (line.length() > 0) {
                    sink.accept(line.toString());
                }
            } catch (IOException ignored) {
                // the process went away; what it wrote so far has been delivered
            }
        }, threadName);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
