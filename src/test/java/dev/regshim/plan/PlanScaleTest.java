package dev.regshim.plan;

import dev.regshim.bench.SyntheticFleet;
import dev.regshim.cpreg.Semantics;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** A 10,000-host fleet plans through its classes (functional; the time is measured by `regshim bench plan`). */
class PlanScaleTest {

    @Test
    void tenThousandHosts() {
        Fleet f = SyntheticFleet.build(10_000, SyntheticFleet.ALL_VERSIONS, SyntheticFleet.DEFAULT_FEATURES);
        assertThat(f.hosts()).hasSize(10_000);
        assertThat(f.hosts().get(0).name()).isEqualTo("h00001");
        // 11 versions x 4 feature sets = 44 profiles; versions with identical lists share a class
        assertThat(f.classes().size()).isBetween(10, 44);
        assertThat(f.classes().stream().mapToInt(HostClass::size).sum()).isEqualTo(10_000);
        Set<String> seen = new HashSet<>();
        f.classes().forEach(c -> seen.addAll(c.hosts()));
        assertThat(seen).hasSize(10_000);
        FleetPlan p = Fleets.plan(f, Semantics.SERIES_V1);
        int k = f.classes().size();
        assertThat(p.after().cells().count()).isEqualTo((long) k * k); // every class has many hosts: diagonal too
        assertThat(p.chains().paths()).isEqualTo((long) k * (k - 1) * (k - 1));
        // SVE, pauth, MTE and TCR2/S1PIE hosts mixed with the rest: guest-visible, never emitted, plan refused
        assertThat(p.entries(Safety.UNSAFE)).isNotEmpty().allMatch(e -> !e.emitted());
        assertThat(p.accepted()).isFalse();
        assertThat(p.featureDifferences()).extracting(d -> d.feature()).contains(GuestFeature.SVE, GuestFeature.PAUTH,
                GuestFeature.MTE, GuestFeature.TCR2, GuestFeature.S1PIE);
        // the default CPU generation alone, all kernels: accepted
        FleetPlan seedCpu = Fleets.plan(SyntheticFleet.build(10_000, SyntheticFleet.ALL_VERSIONS, java.util.List.of("")),
                Semantics.SERIES_V1);
        assertThat(seedCpu.accepted()).as(String.join("\n", seedCpu.rejections())).isTrue();
        assertThat(Fleets.names(seedCpu.hidden())).contains("KVM_REG_ARM_VENDOR_HYP_BMAP_2", "KVM_REG_ARM_PTIMER_CNT", "TCR2_EL1");
    }
}
