package dev.regshim.fuzz;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Runs seeded fuzz cases of any {@link FuzzKind} through a {@link FuzzTarget} (the whole CLI, or the commands' readers
 * called directly) and classifies each outcome.
 * A case is fine when the command exits 0, 1 or 2 and every line it printed on standard error is at most
 * {@value #MAX_LINE} characters without control characters, with exactly one line on exit 2, naming the case's file
 * (at most one on exit 1, "differs / refused", whose answer may be on standard output alone); standard output
 * must be free of control characters too. Anything else is a failure reported with the case seed: a stack trace, an
 * internal error (exit 3), a case over the time bound (a hang), a case allocating more than the memory bound, or a
 * multi-line, over-long or control-character error. The harness itself never fails a run: a fault while making or
 * running a case is that case's failure.
 */
public final class FuzzHarness {

    /** Each case must end within this. */
    public static final long CASE_TIME_LIMIT_MS = 5_000;
    /** Bytes a case may allocate (the JVM's per-thread allocation counter): far above a correct reader's need. */
    public static final long CASE_ALLOCATION_LIMIT = 1L << 30;
    static final int MAX_LINE = 200;
    private static final int MAX_FAILURES = 20;

    /** A failed case; replay with {@code regshim fuzz --kind KIND --case SEED}. */
    public record Failure(String kind, long caseSeed, String mutations, String problem) {
        @Override
        public String toString() {
            return kind + " case " + caseSeed + " (" + mutations + "): " + problem;
        }
    }

    /** Totals of a run of one kind. */
    public record Report(String kind, long seed, long cases, long exit0, long exit1, long exit2, long failed,
                         List<Failure> failures, long maxCaseMillis, long maxCaseAllocation, long cpuNanos) {
        public boolean ok() {
            return failed == 0;
        }

        /** Cases per second of CPU time on the worker (the target's own cost; a busy machine does not change it). */
        public double casesPerCpuSecond() {
            return cpuNanos == 0 ? 0 : cases * 1e9 / cpuNanos;
        }
    }

    /** One case's outcome: its exit code, or its failure; how long it took and what it allocated. */
    public record CaseResult(long caseSeed, int exit, Failure failure, long millis, long allocated, long cpuNanos) {
    }

    private static final long WATCH_PERIOD_MS = 20;
    private static final java.lang.management.ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private final FuzzTarget target;
    private final Path scratch;
    private final long timeLimitMs;

    /** @param scratch a private directory the case files are written in */
    public FuzzHarness(FuzzTarget target, Path scratch) {
        this(target, scratch, CASE_TIME_LIMIT_MS);
    }

    FuzzHarness(FuzzTarget target, Path scratch, long timeLimitMs) {
        this.target = target;
        this.scratch = scratch;
        this.timeLimitMs = timeLimitMs;
    }

    /**
     * A fresh scratch directory for case files: in memory ({@code /dev/shm}) when there is one, since every case
     * rewrites its file and a disk file system turns that into I/O; else under the system's temporary directory.
     */
    public static Path scratchDirectory() throws IOException {
        Path shm = Path.of("/dev/shm");
        Path parent = Files.isDirectory(shm) && Files.isWritable(shm) ? shm
                : Path.of(System.getProperty("java.io.tmpdir"));
        // a name of fixed length: corpus files that name others (fleet files) are then the same size in every run,
        // so a case seed replays the same mutations at the same offsets
        java.security.SecureRandom rnd = new java.security.SecureRandom();
        for (int attempt = 0; ; attempt++) {
            Path dir = parent.resolve(String.format("regshim-fuzz-%016x", rnd.nextLong()));
            try {
                return Files.createDirectory(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt == 10) {
                    throw e;
                }
            } catch (UnsupportedOperationException e) { // not a POSIX file system
                return Files.createTempDirectory(parent, "regshim-fuzz-");
            }
        }
    }

    /** Runs {@code cases} cases; case i uses seed {@code MutationFuzzer.caseSeed(seed, i)}. */
    public Report run(FuzzKind kind, long seed, long cases, LongConsumer progress) {
        Tally t = new Tally(kind.name(), seed, cases);
        run(kind, i -> MutationFuzzer.caseSeed(seed, i), cases, r -> {
            t.add(r);
            if (progress != null && (t.done & 1023) == 0) {
                progress.accept(t.done);
            }
        });
        return t.report();
    }

    /** One case by its seed (a replay). */
    public CaseResult runCase(FuzzKind kind, long caseSeed) {
        CaseResult[] out = new CaseResult[1];
        run(kind, i -> caseSeed, 1, r -> out[0] = r);
        return out[0];
    }

    /**
     * Runs the cases on a worker thread while this thread watches the clock: no hand-off per case (which on a busy
     * machine costs more than most cases), and a case over the time bound is recorded as a hang, its worker
     * abandoned (a daemon thread) and a new worker started at the next case. Results arrive in case order.
     */
    private void run(FuzzKind kind, java.util.function.LongUnaryOperator seeds, long cases,
                     java.util.function.Consumer<CaseResult> sink) {
        long next = 0;
        while (next < cases) {
            Worker w = new Worker(kind, seeds, next, cases, sink);
            Thread th = new Thread(w, "regshim-fuzz-" + kind.name());
            th.setDaemon(true);
            th.start();
            while (true) {
                try {
                    th.join(WATCH_PERIOD_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (!th.isAlive()) {
                    next = cases;
                    break;
                }
                long hung = w.abandonIfOver(timeLimitMs);
                if (hung >= 0) {
                    next = hung + 1;
                    break;
                }
            }
        }
    }

    /** Runs cases [from, to) in order, each bounded by the watcher. */
    private final class Worker implements Runnable {
        private final FuzzKind kind;
        private final java.util.function.LongUnaryOperator seeds;
        private final long to;
        private final java.util.function.Consumer<CaseResult> sink;
        private final Object lock = new Object();
        private long current;
        private long started = System.nanoTime();
        private String what = "";
        private boolean abandoned;

        Worker(FuzzKind kind, java.util.function.LongUnaryOperator seeds, long from, long to,
               java.util.function.Consumer<CaseResult> sink) {
            this.kind = kind;
            this.seeds = seeds;
            this.current = from;
            this.to = to;
            this.sink = sink;
        }

        @Override
        public void run() {
            for (long i = current; i < to; i++) {
                CaseResult r = one(seeds.applyAsLong(i));
                synchronized (lock) {
                    if (abandoned) {
                        return;
                    }
                    sink.accept(r);
                    current = i + 1;
                    started = System.nanoTime();
                }
            }
        }

        private CaseResult one(long caseSeed) {
            StringBuilder w = new StringBuilder();
            long t0 = System.nanoTime();
            try {
                Path file = scratch.resolve("case" + kind.suffix());
                byte[] input = kind.input(new Random(caseSeed), w);
                synchronized (lock) {
                    what = w.toString();
                }
                Files.write(file, input);
                List<String> args = kind.command(file);
                long before = allocatedBytes();
                long cpu0 = CPU.getCurrentThreadCpuTime();
                FuzzTarget.Outcome o = target.run(args);
                long cpu = Math.max(0, CPU.getCurrentThreadCpuTime() - cpu0);
                long allocated = Math.max(0, allocatedBytes() - before);
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                String problem = classify(o, file);
                if (problem == null && allocated > CASE_ALLOCATION_LIMIT) {
                    problem = "allocated " + allocated + " bytes (bound " + CASE_ALLOCATION_LIMIT + ")";
                }
                return new CaseResult(caseSeed, o.exit(), problem == null ? null
                        : new Failure(kind.name(), caseSeed, w.toString(), problem), ms, allocated, cpu);
            } catch (IOException | RuntimeException | Error e) {
                return new CaseResult(caseSeed, -1, new Failure(kind.name(), caseSeed, w.toString(),
                        "the case threw " + e + " at " + where(e)), TimeUnit.NANOSECONDS.toMillis(System.nanoTime()
                        - t0), 0, 0);
            }
        }

        /** When the running case is over the bound: records it as a hang, stops this worker; returns its index. */
        long abandonIfOver(long limitMs) {
            synchronized (lock) {
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                if (current >= to || ms <= limitMs) {
                    return -1;
                }
                abandoned = true;
                long cs = seeds.applyAsLong(current);
                sink.accept(new CaseResult(cs, -1, new Failure(kind.name(), cs, what, "no answer within " + limitMs
                        + " ms (a hang)"), ms, 0, 0));
                return current;
            }
        }
    }

    /** Totals, fed in case order. */
    private static final class Tally {
        final String kind;
        final long seed;
        final long cases;
        final long[] exits = new long[3];
        final List<Failure> failures = new ArrayList<>();
        long done;
        long failed;
        long maxMillis;
        long maxAlloc;
        long cpuNanos;

        Tally(String kind, long seed, long cases) {
            this.kind = kind;
            this.seed = seed;
            this.cases = cases;
        }

        void add(CaseResult r) {
            done++;
            maxMillis = Math.max(maxMillis, r.millis());
            maxAlloc = Math.max(maxAlloc, r.allocated());
            cpuNanos += r.cpuNanos();
            if (r.failure() != null) {
                failed++;
                if (failures.size() < MAX_FAILURES) {
                    failures.add(r.failure());
                }
            } else {
                exits[r.exit()]++;
            }
        }

        Report report() {
            return new Report(kind, seed, done, exits[0], exits[1], exits[2], failed, List.copyOf(failures), maxMillis,
                    maxAlloc, cpuNanos);
        }
    }

    /** Null when the outcome of reading {@code file} is fine, else what is wrong with it. */
    static String classify(FuzzTarget.Outcome o, Path file) {
        String problem = classify(o);
        if (problem == null && o.exit() == 2 && !o.err().contains(file.getFileName().toString())) {
            return "the error does not name the file " + file.getFileName() + ": " + firstLine(o.err());
        }
        return problem;
    }

    /** Null when the outcome is fine, else what is wrong with it. */
    static String classify(FuzzTarget.Outcome o) {
        if (o.exit() == 3) {
            return "internal error: " + firstLine(o.err());
        }
        if (o.exit() < 0 || o.exit() > 2) {
            return "exit " + o.exit() + ": " + firstLine(o.err());
        }
        String err = o.err();
        if (err.contains("\tat ") || err.contains("Exception:") && err.contains("\n\tat")) {
            return "stack trace: " + firstLine(err);
        }
        String[] lines = err.isEmpty() ? new String[0] : err.split("\n", -1);
        int count = 0;
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (i == lines.length - 1 && l.isEmpty()) {
                break; // the final newline
            }
            count++;
            if (l.length() > MAX_LINE) {
                return "error line of " + l.length() + " characters: " + l.substring(0, 80) + "...";
            }
            String bad = control(l);
            if (bad != null) {
                return "control character " + bad + " on standard error";
            }
        }
        if (o.exit() == 2 && count != 1 || o.exit() == 1 && count > 1) { // exit 1 may answer on standard output alone
            return "exit " + o.exit() + " with " + count + " lines on standard error: " + firstLine(err);
        }
        String bad = control(o.out().replace("\n", "").replace("\t", ""));
        if (bad != null) {
            return "control character " + bad + " on standard output";
        }
        return null;
    }

    private static String control(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                return String.format("\\x%02x at %d", (int) c, i);
            }
        }
        return null;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        String l = nl >= 0 ? s.substring(0, nl) : s;
        return l.length() > 120 ? l.substring(0, 120) + "..." : l;
    }

    private static String where(Throwable e) {
        StackTraceElement[] st = e.getStackTrace();
        return st.length == 0 ? "?" : st[0].toString();
    }

    private static long allocatedBytes() {
        java.lang.management.ThreadMXBean b = ManagementFactory.getThreadMXBean();
        if (b instanceof com.sun.management.ThreadMXBean s && s.isThreadAllocatedMemorySupported()) {
            return s.getThreadAllocatedBytes(Thread.currentThread().getId());
        }
        return 0;
    }

}
