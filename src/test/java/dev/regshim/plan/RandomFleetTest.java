package dev.regshim.plan;

import dev.regshim.cpreg.Semantics;
import dev.regshim.regs.RegSet;
import dev.regshim.testing.RandomConfigs;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fleets no test names: a seeded draw of kernel versions and host feature sets, planned under both series
 * versions. Whatever the mix, nothing unsafe is ever emitted, a plan that is not accepted says why, and an accepted
 * plan's "after" matrix loads in every direction; a fleet whose hosts share CPU features every kernel virtualises
 * alike is always accepted, so its "after" matrix is all loads
 * ({@code -Dregshim.fidelity.seed=random|N}, {@code -Dregshim.plan.fleets=N}).
 */
class RandomFleetTest {

    static final String[] KERNELS = {"6.1", "6.6", "6.8", "6.10", "6.12", "6.13", "6.14", "6.15", "6.16", "6.17", "6.18"};
    static final String[] FEATURES = {"", "", "+sve", "+pauth", "+tcr2+s1pie", "+mte", "-pmu", "+sve+pauth", "+el2"};
    /**
     * Host CPU features every kernel in the database virtualises alike. Not here: nested virt (+el2: newer kernels
     * expose EL2 state older ones cannot restore, genuinely unsafe) and TCR2/S1PIE (6.1 cannot offer them at all);
     * for those the plan must refuse and say why, which the general invariants check.
     */
    static final String[] SHARED = {"", "+sve", "+pauth", "+mte", "-pmu", "+sve+pauth"};

    @Test
    void randomFleetsNeverEmitUnsafeEntriesAndSameFeatureFleetsLoadEverywhere() {
        long seed = RandomConfigs.seed(7);
        SplittableRandom r = new SplittableRandom(seed);
        int fleets = Integer.getInteger("regshim.plan.fleets", 40);
        List<String> problems = new ArrayList<>();
        for (int f = 0; f < fleets; f++) {
            boolean sameFeatures = r.nextBoolean();
            String shared = SHARED[r.nextInt(SHARED.length)];
            int hosts = 2 + r.nextInt(5);
            List<String> specs = new ArrayList<>();
            for (int h = 0; h < hosts; h++) {
                String features = sameFeatures ? shared : FEATURES[r.nextInt(FEATURES.length)];
                String spec = KERNELS[r.nextInt(KERNELS.length)] + features;
                if (!specs.contains(spec)) {
                    specs.add(spec);
                }
            }
            for (Semantics s : List.of(Semantics.SERIES_V1, Semantics.SERIES_V2)) {
                FleetPlan p = Fleets.plan(Fleets.kernel(specs.toArray(new String[0])), s);
                String what = "seed " + seed + ", " + s.label() + ", " + specs + ": ";
                RegSet emitted = p.hidden().union(p.fake());
                for (PlanEntry e : p.entries(Safety.UNSAFE)) {
                    if (emitted.contains(e.id())) {
                        problems.add(what + "unsafe " + e.name() + " emitted");
                    }
                }
                if (p.accepted() && !p.after().unacceptable().isEmpty()) {
                    problems.add(what + "accepted, but the after matrix fails " + p.after().unacceptable().size()
                            + " directions");
                }
                if (!p.accepted() && p.rejections().isEmpty()) {
                    problems.add(what + "not accepted without saying why");
                }
                if (sameFeatures && !p.accepted()) {
                    problems.add(what + "hosts with the same CPU features, not accepted: " + p.rejections());
                }
            }
        }
        assertThat(problems).as("seed %d (rerun with -Dregshim.fidelity.seed=%d)", seed, seed).isEmpty();
    }
}
