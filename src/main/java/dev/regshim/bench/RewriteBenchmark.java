package dev.regshim.bench;

import dev.regshim.RegshimException;
import dev.regshim.policy.RewriteOptions;
import dev.regshim.rewrite.StreamRewriter;
import dev.regshim.rewrite.Verification;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Throughput of {@link StreamRewriter#rewrite} (with each {@link Verification}) against {@code cp FILE COPY} in the
 * same run: all write a new file in the same directory (deleted after each run, so none overwrites), in rotating
 * order, each after a {@code sync} so that it starts without dirty pages of the others, after one warm-up round that
 * also puts the input in the page cache. Reports medians, the ratios and the process's peak RSS.
 */
public final class RewriteBenchmark {

    /** Results; times in nanoseconds. */
    public record Result(long bytes, int runs, List<Long> cpNanos, List<Long> rewriteNanos, List<Long> bytesNanos,
                         long vmHwmKb, StreamRewriter.Result last) {
        public long medianCp() {
            return median(cpNanos);
        }

        public long medianRewrite() {
            return median(rewriteNanos);
        }

        public double cpMBps() {
            return bytes / (medianCp() / 1e9) / 1e6;
        }

        public double rewriteMBps() {
            return bytes / (medianRewrite() / 1e9) / 1e6;
        }

        /** rewrite throughput / cp throughput (1.0 = as fast as cp). */
        public double ratio() {
            return (double) medianCp() / medianRewrite();
        }

        /** The same with {@link Verification#BYTES}. */
        public long medianBytes() {
            return median(bytesNanos);
        }

        public double bytesMBps() {
            return bytes / (medianBytes() / 1e9) / 1e6;
        }

        public double bytesRatio() {
            return (double) medianCp() / medianBytes();
        }

        private static long median(List<Long> xs) {
            List<Long> s = new ArrayList<>(xs);
            Collections.sort(s);
            return s.get(s.size() / 2);
        }
    }

    private RewriteBenchmark() {
    }

    /**
     * @param workDir where the copies and rewrites are written (same filesystem as the input is fairest)
     */
    public static Result run(Path file, RewriteOptions options, Path workDir, int runs)
            throws IOException, InterruptedException {
        long size = Files.size(file);
        Path copy = workDir.resolve(".regshim-bench-cp." + ProcessHandle.current().pid());
        Path out = workDir.resolve(".regshim-bench-rewrite." + ProcessHandle.current().pid());
        List<Long> cp = new ArrayList<>();
        List<Long> rw = new ArrayList<>();
        List<Long> rwBytes = new ArrayList<>();
        StreamRewriter.Result last = null;
        try {
            for (int i = -1; i < runs; i++) {
                long c = 0;
                long r = 0;
                long b = 0;
                // rotate the order, and start each from a clean page cache state (no dirty pages left by the
                // previous one), so that no contender always pays for the others' writeback
                for (int k = 0; k < 3; k++) {
                    sync();
                    switch ((k + Math.max(i, 0)) % 3) {
                        case 0 -> c = cp(file, copy);
                        case 1 -> {
                            r = timed(file, out, options, Verification.DECODE);
                            last = lastResult;
                        }
                        default -> b = timed(file, out, options, Verification.BYTES);
                    }
                    Files.deleteIfExists(copy);
                    Files.deleteIfExists(out);
                }
                if (i >= 0) {
                    cp.add(c);
                    rw.add(r);
                    rwBytes.add(b);
                }
            }
        } finally {
            Files.deleteIfExists(copy);
            Files.deleteIfExists(out);
        }
        return new Result(size, runs, cp, rw, rwBytes, InspectBenchmark.vmHwmKb(), last);
    }

    private static StreamRewriter.Result lastResult;

    private static long timed(Path file, Path out, RewriteOptions options, Verification v) {
        long t0 = System.nanoTime();
        StreamRewriter.Result r = StreamRewriter.rewrite(file, out, options, v);
        long t = System.nanoTime() - t0;
        if (!r.written()) {
            throw new RegshimException("the rewrite is refused, nothing to measure: " + r.refusal());
        }
        lastResult = r;
        return t;
    }

    private static void sync() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sync").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (p.waitFor() != 0) {
            throw new IOException("sync failed");
        }
    }

    private static long cp(Path from, Path to) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("cp", from.toString(), to.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (p.waitFor() != 0) {
            throw new IOException("cp failed");
        }
        return System.nanoTime() - t0;
    }
}
