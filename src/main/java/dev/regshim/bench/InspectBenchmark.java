package dev.regshim.bench;

import dev.regshim.stream.ReadOptions;
import dev.regshim.stream.StreamReader;
import dev.regshim.stream.StreamSummary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Throughput of reading a stream into a {@link StreamSummary} ({@link StreamReader#summarize(Path, ReadOptions)}, what
 * {@code regshim inspect} does) against {@code cat FILE > /dev/null} on the same file in
 * the same run (alternating, after a warm-up that puts the file in the page cache), plus the process's peak RSS.
 */
public final class InspectBenchmark {

    /** Results; times in nanoseconds, throughput in MB/s (10^6 bytes). */
    public record Result(long bytes, int runs, List<Long> catNanos, List<Long> inspectNanos, long vmHwmKb,
                         long dataPages) {
        public long medianCat() {
            return median(catNanos);
        }

        public long medianInspect() {
            return median(inspectNanos);
        }

        public double catMBps() {
            return bytes / (medianCat() / 1e9) / 1e6;
        }

        public double inspectMBps() {
            return bytes / (medianInspect() / 1e9) / 1e6;
        }

        /** inspect throughput / cat throughput (1.0 = as fast as cat). */
        public double ratio() {
            return (double) medianCat() / medianInspect();
        }

        private static long median(List<Long> xs) {
            List<Long> s = new ArrayList<>(xs);
            Collections.sort(s);
            return s.get(s.size() / 2);
        }
    }

    private InspectBenchmark() {
    }

    public static Result run(Path file, int runs) throws IOException, InterruptedException {
        return run(file, runs, ReadOptions.defaults());
    }

    public static Result run(Path file, int runs, ReadOptions opts) throws IOException, InterruptedException {
        long size = Files.size(file);
        cat(file);
        StreamSummary warm = StreamReader.summarize(file, opts);
        List<Long> cat = new ArrayList<>();
        List<Long> inspect = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            cat.add(cat(file));
            long t0 = System.nanoTime();
            StreamSummary s = StreamReader.summarize(file, opts);
            inspect.add(System.nanoTime() - t0);
            if (s.dataPages() != warm.dataPages()) {
                throw new IllegalStateException("inconsistent reads");
            }
        }
        return new Result(size, runs, cat, inspect, vmHwmKb(), warm.dataPages());
    }

    private static long cat(Path file) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("cat", file.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (p.waitFor() != 0) {
            throw new IOException("cat failed");
        }
        return System.nanoTime() - t0;
    }

    /** Peak resident set size of this process (Linux {@code VmHWM}), or -1. */
    public static long vmHwmKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
