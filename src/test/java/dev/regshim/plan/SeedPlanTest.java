package dev.regshim.plan;

import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.Semantics;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.regshim.plan.Fleets.BMAP_2;
import static dev.regshim.plan.Fleets.PIR;
import static dev.regshim.plan.Fleets.PIRE0;
import static dev.regshim.plan.Fleets.TCR2;
import static dev.regshim.plan.Fleets.cell;
import static dev.regshim.plan.Fleets.names;
import static org.assertj.core.api.Assertions.assertThat;

/** The seed fleet (kernels 6.12, 6.13, 6.17, no FEAT_TCR2/S1PIE, PMU): the plan is the seed series' compat. */
class SeedPlanTest {

    private static final List<String> FAKES = List.of("TCR2_EL1", "PIRE0_EL1", "PIR_EL1");

    @Test
    void seriesV1ComputesTheSeedCompat() {
        FleetPlan p = Fleets.plan(Fleets.seed(), Semantics.SERIES_V1);
        assertThat(p.baseline().auto()).isTrue();
        assertThat(p.classes().get(p.baseline().classIndex()).label()).isEqualTo("6.12");
        assertThat(p.baseline().why()).contains("oldest kernel").contains("6.12");
        assertThat(names(p.hidden())).containsExactly("KVM_REG_ARM_VENDOR_HYP_BMAP_2");
        assertThat(names(p.fake())).containsExactlyElementsOf(FAKES);
        assertThat(p.entry(TCR2).orElseThrow().safety()).isEqualTo(Safety.SAFE);
        assertThat(p.entry(PIR).orElseThrow().classification().reason()).contains("FEAT_S1PIE").contains("absent");
        PlanEntry bmap = p.entry(BMAP_2).orElseThrow();
        assertThat(bmap.action()).isEqualTo(Action.HIDE);
        assertThat(bmap.safety()).isEqualTo(Safety.CONDITIONAL);
        assertThat(bmap.condition()).isEqualTo("KVM_REG_ARM_VENDOR_HYP_BMAP_2 == 0");
        assertThat(CompatEmitter.properties(p)).extracting(CompatEmitter.Property::name)
                .containsExactly("kvm-hidden-regs", "kvm-enforced-regs");
        assertThat(p.accepted()).as(String.join("\n", p.rejections())).isTrue();
    }

    @Test
    void v1EnforcedRegistersOnlyTakeEffectWhereTheKernelLacksThem() {
        FleetPlan p = Fleets.plan(Fleets.seed(), Semantics.SERIES_V1);
        HostView v612 = p.views().get(p.fleet().classOf("6.12").orElseThrow().index());
        HostView v613 = p.views().get(p.fleet().classOf("6.13").orElseThrow().index());
        HostView v617 = p.views().get(p.fleet().classOf("6.17").orElseThrow().index());
        assertThat(v612.fakedHere().isEmpty()).isTrue();
        assertThat(names(v612.exposedHere())).containsExactlyElementsOf(FAKES);
        assertThat(v612.hiddenHere().isEmpty()).isTrue();
        assertThat(v612.sends()).isEqualTo(258);
        assertThat(names(v613.fakedHere())).containsExactlyElementsOf(FAKES);
        assertThat(v613.sends()).isEqualTo(255);
        assertThat(names(v617.hiddenHere())).containsExactly("KVM_REG_ARM_VENDOR_HYP_BMAP_2");
        assertThat(v617.sends()).isEqualTo(255); // 256 listed, BMAP_2 hidden
    }

    @Test
    void beforeMatrixIsStockQemusRealBehaviour() {
        FleetPlan p = FleetPlanner.plan(Fleets.seed(), PlanSettings.of(Semantics.SERIES_V1, Accel.KVM)
                .withBefore(Semantics.QEMU_STOCK));
        Matrix b = p.before();
        assertThat(cell(p, b, "6.12", "6.13").verdict()).isEqualTo(CellVerdict.FAILS);
        assertThat(cell(p, b, "6.12", "6.13").headline()).isEqualTo("Invalid value 258 expecting positive value <= 255");
        assertThat(cell(p, b, "6.12", "6.13").fix()).isEqualTo("fake TCR2_EL1, PIRE0_EL1, PIR_EL1 where missing (kvm-enforced-regs)");
        assertThat(cell(p, b, "6.12", "6.17").verdict()).isEqualTo(CellVerdict.FAILS);
        assertThat(cell(p, b, "6.13", "6.12").verdict()).isEqualTo(CellVerdict.LOADS);
        assertThat(cell(p, b, "6.13", "6.17").verdict()).isEqualTo(CellVerdict.LOADS);
        // stock QEMU stops comparing at its last register: BMAP_2 (the highest ID) is dropped without a word
        Cell loss = cell(p, b, "6.17", "6.12");
        assertThat(loss.result().loads()).isTrue();
        assertThat(loss.verdict()).isEqualTo(CellVerdict.LOSS);
        assertThat(loss.problems()).singleElement().asString().contains("KVM_REG_ARM_VENDOR_HYP_BMAP_2 sorts after 6.12's last register");
        assertThat(loss.fix()).isEqualTo("hide KVM_REG_ARM_VENDOR_HYP_BMAP_2 (kvm-hidden-regs)");
        Cell len = cell(p, b, "6.17", "6.13");
        assertThat(len.verdict()).isEqualTo(CellVerdict.FAILS);
        assertThat(len.headline()).isEqualTo("Invalid value 256 expecting positive value <= 255");
        assertThat(len.problems()).containsExactly("6.13 does not know KVM_REG_ARM_VENDOR_HYP_BMAP_2");
        assertThat(b.count(CellVerdict.FAILS)).isEqualTo(3);
        // single-host classes have no diagonal
        assertThat(b.cell(0, 0)).isNull();
        assertThat(b.cells().count()).isEqualTo(6);
    }

    @Test
    void afterMatrixLoadsEverywhereWithTheConditionShown() {
        for (Semantics s : List.of(Semantics.SERIES_V1, Semantics.SERIES_V2, Semantics.QEMU_11_1)) {
            FleetPlan p = Fleets.plan(Fleets.seed(), s);
            Matrix a = p.after();
            assertThat(a.unacceptable()).as(s.label()).isEmpty();
            assertThat(a.count(CellVerdict.CONDITIONAL)).as(s.label()).isEqualTo(2);
            Cell c = cell(p, a, "6.17", "6.12");
            assertThat(c.verdict()).isEqualTo(CellVerdict.CONDITIONAL);
            assertThat(c.conditions()).containsExactly("KVM_REG_ARM_VENDOR_HYP_BMAP_2 == 0");
            Cell fake = cell(p, a, "6.12", "6.13");
            assertThat(fake.verdict()).isEqualTo(CellVerdict.LOADS);
            assertThat(fake.involved()).extracting(Involved::name).containsExactlyElementsOf(FAKES);
            assertThat(p.accepted()).as(s.label()).isTrue();
        }
    }

    @Test
    void seriesV2UsesTheXMigNamesWithTheSameLists() {
        FleetPlan p = Fleets.plan(Fleets.seed(), Semantics.SERIES_V2);
        assertThat(names(p.hidden())).containsExactly("KVM_REG_ARM_VENDOR_HYP_BMAP_2");
        assertThat(names(p.fake())).containsExactlyElementsOf(FAKES);
        assertThat(CompatEmitter.properties(p)).extracting(CompatEmitter.Property::name)
                .containsExactly("x-mig-hidden-regs", "x-mig-safe-missing-regs");
        // v2's safe-missing list is active on every host, also where the register is listed
        HostView v612 = p.views().get(p.fleet().classOf("6.12").orElseThrow().index());
        assertThat(names(v612.exposedHere())).containsExactlyElementsOf(FAKES);
    }

    @Test
    void qemu111HasNothingToEmitAndItsTolerancesCoverTheSeed() {
        FleetPlan p = Fleets.plan(Fleets.seed(), Semantics.QEMU_11_1);
        assertThat(p.hasLists()).isFalse();
        assertThat(p.entries()).allMatch(e -> e.action() == Action.BUILT_IN);
        assertThat(p.entry(BMAP_2).orElseThrow().note()).contains("OnlySrcTestValue");
        assertThat(CompatEmitter.qemu(p)).contains("has no properties to hide or fake registers: nothing to add")
                .contains("KVM_REG_ARM_VENDOR_HYP_BMAP_2 (while KVM_REG_ARM_VENDOR_HYP_BMAP_2 == 0)")
                .contains("Every direction loads.");
        // the model itself, not the plan, gives 11.1's condition
        assertThat(cell(p, p.after(), "6.17", "6.13").result().conditions()).containsExactly("KVM_REG_ARM_VENDOR_HYP_BMAP_2 == 0");
    }

    /**
     * QEMU 11.1 fails PMMIR_EL1 from 7.3 on 6.12, but KVM_REG_ARM_VENDOR_HYP_BMAP_2, tolerated and sorting after it,
     * clears that failure (seen on real KVM): the load goes on with PMMIR_EL1 dropped unchecked, a loss, not a load.
     */
    @Test
    void qemu111sClearedFailureIsALossNotALoad() {
        FleetPlan p = Fleets.plan(Fleets.kernel("6.12", "7.3"), Semantics.QEMU_11_1);
        Cell c = cell(p, p.before(), "7.3", "6.12");
        assertThat(c.result().loads()).isTrue();
        assertThat(c.result().qemuLines()).anyMatch(l -> l.contains("fail migration"));
        assertThat(c.verdict()).isEqualTo(CellVerdict.LOSS);
        assertThat(c.problems()).anyMatch(x -> x.contains("PMMIR_EL1 is unknown to 6.12")
                && x.contains("clears that failure"));
        assertThat(c.involved()).anyMatch(i -> i.name().equals("PMMIR_EL1") && i.kind() == Involved.Role.CLEARED);
    }

    @Test
    void anotherBaselineFlipsHideAndFake() {
        FleetPlan p = FleetPlanner.plan(Fleets.seed(), PlanSettings.of(Semantics.SERIES_V1, Accel.KVM).withBaseline("6.17"));
        assertThat(p.baseline().auto()).isFalse();
        assertThat(names(p.hidden())).containsExactlyElementsOf(FAKES);
        assertThat(names(p.fake())).containsExactly("KVM_REG_ARM_VENDOR_HYP_BMAP_2");
        assertThat(p.accepted()).isTrue();
        // faking BMAP_2 leaves the source's value behind where it is missing: conditional
        assertThat(cell(p, p.after(), "6.17", "6.13").conditions()).containsExactly("KVM_REG_ARM_VENDOR_HYP_BMAP_2 == 0");
    }

    @Test
    void withoutTheListsTheSameQemuStillFails() {
        FleetPlan p = Fleets.plan(Fleets.seed(), Semantics.SERIES_V1);
        // before = series v1 without lists: the series fixed the tail skip, so 6.17 -> 6.12 now fails
        Cell c = cell(p, p.before(), "6.17", "6.12");
        assertThat(c.verdict()).isEqualTo(CellVerdict.FAILS);
        assertThat(c.result().qemuLines()).contains(
                "kvm_arm_cpu_post_load Unexpected register in input stream: 0 0x6030000000160003 fw feat reg 3");
    }
}
