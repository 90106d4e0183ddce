package dev.regshim.cli;

import dev.regshim.cpreg.Semantics;
import dev.regshim.plan.PlanBench;
import dev.regshim.plan.SyntheticFleet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code regshim bench}: measurements regshim can make on its own. */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = BenchCommand.Plan.class,
        description = "Benchmarks (see 'regshim bench plan').")
public final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
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
}
