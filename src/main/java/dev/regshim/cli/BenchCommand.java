package dev.regshim.cli;

import dev.regshim.RegshimException;
import dev.regshim.bench.InspectBenchmark;
import dev.regshim.cpreg.Semantics;
import dev.regshim.bench.PlanBench;
import dev.regshim.bench.SyntheticFleet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code regshim bench}: performance against a baseline measured in the same run. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks against a baseline measured in the same run.",
        subcommands = {BenchCommand.Inspect.class, BenchCommand.Rewrite.class, BenchCommand.Plan.class,
                BenchCommand.Relay.class})
public final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = {"Reads FILE into an inspect summary and runs 'cat FILE > /dev/null', alternating, and "
                    + "prints both throughputs, their ratio (inspect/cat) and this process's peak RSS (VmHWM).",
                "Use a stream with hundreds of MB of non-zero pages (scripts/make-big-stream.sh)."})
    static final class Inspect implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Option(names = "--runs", defaultValue = "5", description = "measured runs of each (default: ${DEFAULT-VALUE})")
        int runs;

        @Option(names = "--chunk-kib", hidden = true, defaultValue = "1024")
        int chunkKib;

        @Override
        public Integer call() {
            if (!Files.isRegularFile(file)) {
                throw new RegshimException("cannot read " + file + ": not a regular file");
            }
            PrintWriter out = spec.commandLine().getOut();
            InspectBenchmark.Result r;
            try {
                r = InspectBenchmark.run(file, Math.max(1, runs),
                        dev.regshim.stream.ReadOptions.defaults().withChunkBytes(chunkKib << 10));
            } catch (IOException e) {
                throw new RegshimException("bench failed: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegshimException("interrupted");
            }
            out.printf("file        %s, %,d bytes, %,d data pages%n", file, r.bytes(), r.dataPages());
            out.printf("cat         median %7.1f ms  %8.1f MB/s   runs %s ms%n", r.medianCat() / 1e6, r.catMBps(),
                    ms(r.catNanos()));
            out.printf("inspect     median %7.1f ms  %8.1f MB/s   runs %s ms%n", r.medianInspect() / 1e6,
                    r.inspectMBps(), ms(r.inspectNanos()));
            out.printf("ratio       %.2f of cat's throughput%n", r.ratio());
            out.printf("peak RSS    %,d KiB (VmHWM of this JVM, max heap %,d MiB)%n", r.vmHwmKb(),
                    Runtime.getRuntime().maxMemory() >> 20);
            return Main.EXIT_OK;
        }

        static String ms(java.util.List<Long> ns) {
            StringBuilder b = new StringBuilder();
            for (long n : ns) {
                b.append(b.length() == 0 ? "" : " ").append(String.format("%.0f", n / 1e6));
            }
            return b.toString();
        }
    }

    /** {@code regshim bench plan}: plan a synthetic fleet from the kernel database and report the time. */
    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = {"Build a fleet of N hosts from the kernel database (every version x feature set, round-robin),",
                "plan it, and report the time of the first (cold) plan and of warm runs, against the ungrouped",
                "host x host model matrix on a sample of the same fleet, measured in the same process."})
    static final class Plan implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--hosts", defaultValue = "10000", description = "fleet size (default: ${DEFAULT-VALUE})")
        int hosts;

        @Option(names = "--versions", split = ",", description = "kernel versions (default: all known)")
        List<String> versions = new ArrayList<>();

        @Option(names = "--features", split = ";", description = "feature sets, ';'-separated, '' for the defaults "
                + "(default: '', +sve+pauth, +tcr2+s1pie, +mte)")
        List<String> features = new ArrayList<>();

        @Option(names = "--semantics", defaultValue = "series-v1", description = "default: ${DEFAULT-VALUE}")
        String semantics;

        @Option(names = "--runs", defaultValue = "5", description = "warm runs after the first (default: ${DEFAULT-VALUE})")
        int runs;

        @Option(names = "--baseline-hosts", defaultValue = "200",
                description = "hosts in the ungrouped baseline matrix (default: ${DEFAULT-VALUE})")
        int baselineHosts;

        @Override
        public Integer call() {
            List<String> v = versions.isEmpty() ? SyntheticFleet.ALL_VERSIONS : versions;
            List<String> f = features.isEmpty() ? SyntheticFleet.DEFAULT_FEATURES : features;
            PlanBench.Result r = PlanBench.run(hosts, v, f, Semantics.parse(semantics), runs, baselineHosts);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("regshim bench plan: %d hosts (kernels %s x feature sets %s), %d classes, %s, %d cores%n",
                    r.hosts(), String.join(",", v), String.join(" ", f.stream().map(x -> x.isEmpty() ? "default" : x)
                            .toArray(String[]::new)), r.classes(), r.semantics().label(), Runtime.getRuntime().availableProcessors());
            out.printf("  resolve profiles + group into classes   %8.1f ms%n", ms(r.resolveNanos()));
            out.printf("  plan, first run in this JVM             %8.1f ms  (%d matrix cells, %d chain paths, plan %s)%n",
                    ms(r.firstPlanNanos()), r.cells(), r.chainPaths(), r.accepted() ? "accepted" : "not accepted");
            out.printf("  total for %d hosts, cold                %8.1f ms%n", r.hosts(), ms(r.resolveNanos() + r.firstPlanNanos()));
            if (r.warmPlanNanos().length > 0) {
                out.printf("  plan, warm (median of %d)                %8.1f ms%n", r.warmPlanNanos().length, ms(r.warmMedianNanos()));
            }
            out.printf("  baseline: host x host model matrix without classes, %d hosts (%d runs)  %.1f ms = %.0f runs/s%n",
                    r.baselineHosts(), r.baselineRuns(), ms(r.baselineNanos()), r.baselineRunsPerSecond());
            out.printf("  in the cold plan's time the ungrouped baseline covers about %d hosts; the plan covered %d (%.0fx)%n",
                    r.baselineHostsInPlanTime(), r.hosts(), (double) r.hosts() / Math.max(1, r.baselineHostsInPlanTime()));
            out.flush();
            return Main.EXIT_OK;
        }

        private static double ms(long nanos) {
            return nanos / 1e6;
        }
    }

    @Command(name = "rewrite", mixinStandardHelpOptions = true,
            description = {"Rewrites FILE for the destination PROFILE (as 'regshim rewrite' does, verification "
                    + "included) and runs 'cp FILE COPY', alternating, each writing a new file in DIR; prints both "
                    + "throughputs, their ratio (rewrite/cp), how the rewrite wrote and re-read, and this process's "
                    + "peak RSS (VmHWM).",
                "Use a stream with hundreds of MB of non-zero pages (scripts/make-big-stream.sh)."})
    static final class Rewrite implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Option(names = "--to", required = true, paramLabel = "PROFILE", description = "the destination profile")
        String to;

        @Option(names = "--policy", defaultValue = "strict", description = "strict | tolerant | force (default: ${DEFAULT-VALUE})")
        String policy;

        @Option(names = "--dir", paramLabel = "DIR", description = "where copies and rewrites are written (default: FILE's directory)")
        Path dir;

        @Option(names = "--runs", defaultValue = "5", description = "measured runs of each (default: ${DEFAULT-VALUE})")
        int runs;

        @Override
        public Integer call() {
            if (!Files.isRegularFile(file)) {
                throw new RegshimException("cannot read " + file + ": not a regular file");
            }
            dev.regshim.profile.Profile dst = dev.regshim.profile.source.ProfileSources.resolve(to);
            dev.regshim.cpreg.LoadSettings settings = new dev.regshim.cpreg.LoadSettings(
                    dev.regshim.cpreg.Semantics.parse("qemu-stock"), dst.assumedAccel(),
                    dev.regshim.regs.RegSet.empty(), dev.regshim.regs.RegSet.empty());
            dev.regshim.policy.RewriteOptions o = new dev.regshim.policy.RewriteOptions(dst, settings,
                    dev.regshim.policy.Policy.parse(policy), java.util.List.of());
            Path where = dir != null ? dir : file.toAbsolutePath().getParent();
            PrintWriter out = spec.commandLine().getOut();
            dev.regshim.bench.RewriteBenchmark.Result r;
            try {
                r = dev.regshim.bench.RewriteBenchmark.run(file, o, where, Math.max(1, runs));
            } catch (IOException e) {
                throw new RegshimException("bench failed: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegshimException("interrupted");
            }
            out.printf("file        %s, %,d bytes; rewritten by %s, %d cpu sections%n", file, r.bytes(),
                    r.last().method().name().toLowerCase(java.util.Locale.ROOT), r.last().plan().vcpus().size());
            out.printf("cp          median %7.1f ms  %8.1f MB/s   runs %s ms%n", r.medianCp() / 1e6, r.cpMBps(),
                    Inspect.ms(r.cpNanos()));
            out.printf("rewrite     median %7.1f ms  %8.1f MB/s   runs %s ms%n", r.medianRewrite() / 1e6,
                    r.rewriteMBps(), Inspect.ms(r.rewriteNanos()));
            out.printf("ratio       %.2f of cp's throughput%n", r.ratio());
            out.printf("rewrite --verify bytes  median %7.1f ms  %8.1f MB/s   runs %s ms   ratio %.2f%n",
                    r.medianBytes() / 1e6, r.bytesMBps(), Inspect.ms(r.bytesNanos()), r.bytesRatio());
            out.printf("peak RSS    %,d KiB (VmHWM of this JVM, max heap %,d MiB)%n", r.vmHwmKb(),
                    Runtime.getRuntime().maxMemory() >> 20);
            r.last().checks().forEach(c -> out.println("verified    " + c));
            return Main.EXIT_OK;
        }
    }

    @Command(name = "relay", mixinStandardHelpOptions = true,
            description = {"The proxy benchmark's baseline (scripts/bench-proxy.sh): relays one TCP connection from "
                    + "--listen to --to and back, without parsing or checking anything, then prints the bytes each "
                    + "way and the time. Not for migrating guests: use 'regshim proxy'."})
    static final class Relay implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--listen", required = true, paramLabel = "ADDR:PORT", description = "where the source connects")
        String listen;

        @Option(names = "--to", required = true, paramLabel = "HOST:PORT", description = "the destination")
        String to;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            dev.regshim.proxy.RawRelay.Result r;
            try {
                r = dev.regshim.proxy.RawRelay.relayOnce(dev.regshim.proxy.HostPort.parse(listen),
                        dev.regshim.proxy.HostPort.parse(to), line -> {
                            err.println("regshim bench relay: " + line);
                            err.flush();
                        });
            } catch (IOException e) {
                throw new RegshimException("relay failed: " + e.getMessage());
            }
            spec.commandLine().getOut().printf("relayed %,d bytes forward, %,d back in %.1f ms%n", r.forwarded(),
                    r.returned(), r.nanos() / 1e6);
            return Main.EXIT_OK;
        }
    }
}
