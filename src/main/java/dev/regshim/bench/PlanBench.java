package dev.regshim.bench;

import dev.regshim.check.MigrationCheck;
import dev.regshim.plan.Fleet;
import dev.regshim.plan.FleetPlan;
import dev.regshim.plan.FleetPlanner;
import dev.regshim.plan.PlanSettings;
import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.LoadSettings;
import dev.regshim.cpreg.Semantics;
import dev.regshim.profile.Profile;

import java.util.Arrays;
import java.util.List;

/**
 * Measures planning a synthetic fleet (the first run, as {@code regshim plan} pays it in a fresh JVM, then warm runs),
 * against a baseline in the same process: the host × host matrix of the same model without equivalence classes, on as
 * many hosts as a comparable time allows.
 */
public final class PlanBench {

    private PlanBench() {
    }

    /**
     * @param resolveNanos   building the fleet: resolving the profiles and grouping the hosts into classes
     * @param firstPlanNanos the first plan in this JVM (cold)
     * @param warmPlanNanos  the following plans, sorted
     * @param baselineRuns   model runs of the ungrouped baseline ({@code baselineHosts}²)
     */
    public record Result(int hosts, int classes, Semantics semantics, long resolveNanos, long firstPlanNanos,
                         long[] warmPlanNanos, long cells, long chainPaths, boolean accepted,
                         int baselineHosts, long baselineRuns, long baselineNanos) {

        public long warmMedianNanos() {
            return warmPlanNanos.length == 0 ? firstPlanNanos : warmPlanNanos[warmPlanNanos.length / 2];
        }

        /** Model runs per second in the ungrouped baseline. */
        public double baselineRunsPerSecond() {
            return baselineRuns / (baselineNanos / 1e9);
        }

        /** Hosts the ungrouped baseline would handle in the time the cold plan of all hosts took. */
        public long baselineHostsInPlanTime() {
            return (long) Math.sqrt(baselineRunsPerSecond() * (resolveNanos + firstPlanNanos) / 1e9);
        }
    }

    public static Result run(int hosts, List<String> versions, List<String> features, Semantics semantics,
                             int warmRuns, int baselineHosts) {
        long t0 = System.nanoTime();
        Fleet fleet = SyntheticFleet.build(hosts, versions, features);
        long resolve = System.nanoTime() - t0;
        PlanSettings settings = PlanSettings.of(semantics, Accel.KVM);
        t0 = System.nanoTime();
        FleetPlan plan = FleetPlanner.plan(fleet, settings);
        long first = System.nanoTime() - t0;
        long[] warm = new long[warmRuns];
        for (int i = 0; i < warmRuns; i++) {
            t0 = System.nanoTime();
            FleetPlanner.plan(fleet, settings);
            warm[i] = System.nanoTime() - t0;
        }
        Arrays.sort(warm);
        int n = Math.min(baselineHosts, fleet.hosts().size());
        LoadSettings after = new LoadSettings(semantics, Accel.KVM, plan.hidden(), plan.fake());
        t0 = System.nanoTime();
        long runs = 0;
        for (int i = 0; i < n; i++) {
            Profile src = fleet.hosts().get(i).profile();
            for (int j = 0; j < n; j++) {
                MigrationCheck.run(src, fleet.hosts().get(j).profile(), after, fleet.hosts().get(j).profile().kvmValueRule());
                runs++;
            }
        }
        long baseline = System.nanoTime() - t0;
        return new Result(fleet.hosts().size(), fleet.classes().size(), semantics, resolve, first, warm,
                plan.before().cells().count() + plan.after().cells().count(), plan.chains().paths(), plan.accepted(),
                n, runs, baseline);
    }
}
