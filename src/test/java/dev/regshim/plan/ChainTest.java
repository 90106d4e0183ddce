package dev.regshim.plan;

import dev.regshim.cpreg.Semantics;
import dev.regshim.profile.Profile;
import dev.regshim.profile.Provenance;
import dev.regshim.profile.source.ProfileSources;
import dev.regshim.regs.CpregArray;
import dev.regshim.regs.RegId;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static dev.regshim.plan.Fleets.cell;
import static org.assertj.core.api.Assertions.assertThat;

/** Chains A -> B -> C: each hop from the VM's state after the previous one, and what happens to values on the way. */
class ChainTest {

    private static String path(FleetPlan p, List<Integer> example) {
        return FleetPlanner.path(p.classes(), example);
    }

    @Test
    void seedChainsAllLoadAndFakedRegistersComeBackFromReset() {
        FleetPlan p = Fleets.plan(Fleets.seed(), Semantics.SERIES_V1);
        ChainReport r = p.chains();
        assertThat(r.enumerated()).isTrue();
        assertThat(r.paths()).isEqualTo(12); // 3 * 2 * 2
        assertThat(r.pathsLoading()).isEqualTo(12);
        assertThat(r.chainOnly()).isZero();
        assertThat(r.reused()).isEqualTo(6); // ID-only profiles: every first-hop state is what the host sends anyway
        assertThat(r.modelRuns()).isZero();
        assertThat(r.events()).extracting(ChainReport.Event::name).containsExactly("TCR2_EL1", "PIRE0_EL1", "PIR_EL1");
        for (ChainReport.Event e : r.events()) {
            assertThat(e.kind()).isEqualTo(ChainReport.Kind.DROPPED_THEN_RESET);
            assertThat(e.paths()).isEqualTo(2); // 6.12 -> 6.13 -> 6.12 and 6.12 -> 6.17 -> 6.12
            assertThat(e.safety()).isEqualTo(Safety.SAFE);
            assertThat(path(p, e.example())).startsWith("6.12 -> ").endsWith(" -> 6.12");
        }
        assertThat(r.accepted()).isTrue();
    }

    @Test
    void qemu111ConditionIsDischargedWhenTheValueCameFromAReset() {
        FleetPlan p = Fleets.plan(Fleets.seed(), Semantics.QEMU_11_1);
        List<ChainReport.Event> ev = p.chains().events();
        assertThat(ev).filteredOn(e -> e.kind() == ChainReport.Kind.CONDITION_DISCHARGED).singleElement()
                .satisfies(e -> {
                    assertThat(e.name()).isEqualTo("KVM_REG_ARM_VENDOR_HYP_BMAP_2");
                    assertThat(e.paths()).isEqualTo(4); // {6.12, 6.13} -> 6.17 -> {6.12, 6.13}
                    assertThat(path(p, e.example())).isEqualTo("6.12 -> 6.17 -> 6.12");
                    assertThat(e.text()).contains("came from 6.17's reset value (6.12 does not list it), which meets it");
                });
    }

    @Test
    void aValueCarriedThroughAHostKeepsItsCondition() {
        // X: 6.17's list with known values (BMAP_2 = 0, PMUv3 in ID_AA64DFR0_EL1): X -> 6.12 needs no assumption,
        // but a VM that started on 6.17 arrives at X with 6.17's BMAP_2, whose value nobody has seen
        Profile k617 = ProfileSources.resolve("kernel:6.17");
        CpregArray ids = k617.vcpus().get(0).cpregs();
        long[] values = new long[ids.length()];
        values[ids.indexOf(RegId.sysreg(3, 0, 0, 5, 0).value())] = 0x100; // ID_AA64DFR0_EL1.PMUVer = 1
        Profile x = new Profile(Provenance.of("list", "x-with-values"), null, null, null, null,
                List.of(new Profile.Vcpu(0, CpregArray.of(ids.ids(), values))), false, true);
        Fleet f = Fleet.of(List.of(new FleetHost("6.12", "kernel:6.12", ProfileSources.resolve("kernel:6.12")),
                new FleetHost("6.17", "kernel:6.17", k617), new FleetHost("X", "x", x)));
        FleetPlan p = Fleets.plan(f, Semantics.QEMU_11_1);
        assertThat(p.classes()).hasSize(3);
        assertThat(cell(p, p.after(), "X", "6.12").conditions()).isEmpty();
        assertThat(cell(p, p.after(), "6.17", "6.12").conditions()).containsExactly("KVM_REG_ARM_VENDOR_HYP_BMAP_2 == 0");
        ChainReport r = p.chains();
        assertThat(r.modelRuns()).as("first-hop states into X differ from a fresh start on X").isPositive();
        assertThat(r.chainOnly()).isZero();
        ChainReport.Event carried = r.events().stream()
                .filter(e -> e.kind() == ChainReport.Kind.CONDITION_ON_ORIGINAL && path(p, e.example()).equals("6.17 -> X -> 6.12"))
                .findFirst().orElseThrow(() -> new AssertionError(r.events().stream().map(ChainReport.Event::text)
                        .collect(Collectors.joining("\n"))));
        assertThat(carried.text()).contains("the value is the one the VM has carried since 6.17");
        // from 6.12 (no BMAP_2) through 6.17 or X, the VM holds the intermediate host's reset value: 0
        assertThat(r.events()).anyMatch(e -> e.kind() == ChainReport.Kind.CONDITION_DISCHARGED && e.paths() == 2);
    }

    @Test
    void aToleratedGuestVisibleRegisterIsLostAlongAChain() {
        // QEMU 11.1 tolerates TCR2_EL1 on one end only, also where guests use it
        FleetPlan p = Fleets.plan(Fleets.kernel("6.13+tcr2", "6.13"), Semantics.QEMU_11_1);
        ChainReport r = p.chains();
        assertThat(r.paths()).isEqualTo(2);
        ChainReport.Event lost = r.events().stream().filter(e -> e.kind() == ChainReport.Kind.DROPPED_THEN_RESET)
                .findFirst().orElseThrow();
        assertThat(lost.name()).isEqualTo("TCR2_EL1");
        assertThat(lost.safety()).isEqualTo(Safety.UNSAFE);
        assertThat(r.accepted()).isFalse();
        assertThat(p.rejections()).contains("chain 6.13+tcr2 -> 6.13 -> 6.13+tcr2: " + lost.text());
    }

    @Test
    void oneClassHasNoChains() {
        FleetPlan p = Fleets.plan(Fleets.kernel("6.6", "6.8"), Semantics.SERIES_V1); // identical lists
        assertThat(p.classes()).hasSize(1);
        assertThat(p.chains().paths()).isZero();
        assertThat(p.chains().accepted()).isTrue();
        assertThat(p.entries()).isEmpty();
        assertThat(p.after().cell(0, 0).verdict()).isEqualTo(CellVerdict.LOADS);
    }
}
