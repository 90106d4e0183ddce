package dev.regshim.plan;

import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.Semantics;
import dev.regshim.policy.InertRule;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegParser;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static dev.regshim.plan.Fleets.cell;
import static dev.regshim.plan.Fleets.names;
import static org.assertj.core.api.Assertions.assertThat;

/** Fleets built from the kernel database beyond the seed: other kernels, CPU feature mixes, inferred versions. */
class MixedFleetTest {

    @Test
    void olderAndNewerKernels() {
        FleetPlan p = Fleets.plan(Fleets.kernel("6.1", "6.6", "6.18"), Semantics.SERIES_V1);
        assertThat(p.classes().get(p.baseline().classIndex()).label()).isEqualTo("6.1");
        // 6.1 lists one DEMUX CCSIDR per host cache (3), 6.3+ all 14; 6.6 lists TCR2/PIR* always; PTIMER from 6.6; BMAP_2 6.15+
        assertThat(names(p.hidden())).containsExactly("CCSIDR[3]", "CCSIDR[4]", "CCSIDR[5]", "CCSIDR[6]", "CCSIDR[7]",
                "CCSIDR[8]", "CCSIDR[9]", "CCSIDR[10]", "CCSIDR[11]", "CCSIDR[12]", "CCSIDR[13]", "TCR2_EL1", "PIRE0_EL1",
                "PIR_EL1", "KVM_REG_ARM_PTIMER_CNT", "KVM_REG_ARM_PTIMER_CTL", "KVM_REG_ARM_PTIMER_CVAL",
                "KVM_REG_ARM_VENDOR_HYP_BMAP_2");
        assertThat(p.fake().isEmpty()).isTrue();
        assertThat(p.entry(RegId.ccsidr(3)).orElseThrow().safety()).isEqualTo(Safety.SAFE);
        assertThat(p.entry(RegId.ccsidr(3)).orElseThrow().classification().reason())
                .isEqualTo("no host's CLIDR_EL1 describes the level 2 instruction cache it reports, so the guest never selects it");
        assertThat(p.entry(RegParser.parse("KVM_REG_ARM_PTIMER_CVAL")).orElseThrow().condition())
                .isEqualTo("the guest does not use the EL1 physical timer");
        assertThat(p.accepted()).as(String.join("\n", p.rejections())).isTrue();
        assertThat(p.after().count(CellVerdict.CONDITIONAL)).isPositive();
    }

    @Test
    void aHostCacheTheOldKernelListsMakesItsCcsidrConditional() {
        // CLIDR 0x0a200023 + L3 unified (Ctype3 = 4): v6.1 lists CCSIDR[4] on that host
        FleetPlan p = Fleets.plan(Fleets.kernel("6.1+clidr=0x0a200123", "6.6"), Semantics.SERIES_V1);
        assertThat(p.entry(RegId.ccsidr(4))).isEmpty(); // both list it now
        assertThat(p.entry(RegId.ccsidr(3)).orElseThrow().safety()).isEqualTo(Safety.SAFE);
        FleetPlan q = Fleets.plan(Fleets.kernel("6.1", "6.6+clidr=0x0a200123"), Semantics.SERIES_V1);
        PlanEntry l3 = q.entry(RegId.ccsidr(4)).orElseThrow();
        assertThat(l3.safety()).isEqualTo(Safety.CONDITIONAL);
        assertThat(l3.condition()).isEqualTo("the guest's CLIDR_EL1 does not describe the level 3 data/unified cache");
    }

    @Test
    void sveAndPauthOnSomeHostsAreUnsafeAndNeverEmitted() {
        FleetPlan p = Fleets.plan(Fleets.kernel("6.13", "6.13+sve+pauth", "6.17"), Semantics.SERIES_V1);
        List<PlanEntry> unsafe = p.entries(Safety.UNSAFE);
        assertThat(names(unsafe)).contains("ZCR_EL1", "APIAKEYLO_EL1", "APGAKEYHI_EL1").hasSize(11);
        assertThat(unsafe).allMatch(e -> e.action() == Action.CPU_MODEL && !e.emitted());
        for (PlanEntry e : unsafe) {
            assertThat(p.hidden().contains(e.id())).isFalse();
            assertThat(p.fake().contains(e.id())).isFalse();
        }
        assertThat(p.entry(RegParser.parse("APIAKEYLO_EL1")).orElseThrow().classification().remedy())
                .startsWith("disable pointer authentication on the hosts that have it: -cpu host,pauth=off");
        assertThat(p.entry(RegParser.parse("ZCR_EL1")).orElseThrow().classification().remedy()).contains("-cpu host,sve=off");
        // BMAP_2 is still planned for the rest of the fleet
        assertThat(names(p.hidden())).containsExactly("KVM_REG_ARM_VENDOR_HYP_BMAP_2");
        assertThat(p.featureDifferences()).extracting(d -> d.feature()).containsExactly(GuestFeature.SVE, GuestFeature.PAUTH);
        assertThat(p.accepted()).isFalse();
        Cell c = cell(p, p.after(), "6.13+sve+pauth", "6.13");
        assertThat(c.verdict()).isEqualTo(CellVerdict.FAILS);
        assertThat(c.problems().get(0)).isEqualTo("6.13 does not know ZCR_EL1, APIAKEYLO_EL1, APIAKEYHI_EL1, APIBKEYLO_EL1 and 7 more");
        assertThat(c.fix()).contains("ZCR_EL1: disable SVE").contains("-cpu host,pauth=off");
        assertThat(p.rejections()).anyMatch(r -> r.startsWith("6.13+sve+pauth -> 6.13: FAILS"));
        // the other direction: the guest never saw SVE; it loads only where KVM takes the lower ID register value
        Cell back = cell(p, p.after(), "6.13", "6.13+sve+pauth");
        assertThat(back.verdict()).isEqualTo(CellVerdict.CONDITIONAL);
        assertThat(back.conditions()).anyMatch(x -> x.contains("ID_AA64PFR0_EL1.SVE = 0"));
        assertThat(CompatEmitter.c(p)).doesNotContain("0x603000000013c090"); // ZCR_EL1
    }

    @Test
    void hostsWithTcr2AndS1pieKeepTheRegistersAndOnlyHideBmap2() {
        FleetPlan p = Fleets.plan(Fleets.kernel("6.12+tcr2+s1pie", "6.13+tcr2+s1pie", "6.17+tcr2+s1pie"), Semantics.SERIES_V1);
        assertThat(names(p.entries())).containsExactly("KVM_REG_ARM_VENDOR_HYP_BMAP_2");
        assertThat(p.accepted()).isTrue();
        // mixed with hosts without the features, the registers are guest-visible on the feature hosts
        FleetPlan m = Fleets.plan(Fleets.kernel("6.12", "6.13+tcr2+s1pie", "6.13"), Semantics.SERIES_V1);
        PlanEntry tcr2 = m.entry(Fleets.TCR2).orElseThrow();
        assertThat(tcr2.safety()).isEqualTo(Safety.UNSAFE);
        assertThat(tcr2.classification().reason()).startsWith("FEAT_TCR2 is visible to guests on 6.13+tcr2+s1pie");
        assertThat(tcr2.classification().remedy()).startsWith("keep the hosts with FEAT_TCR2 in a separate migration pool");
        assertThat(m.accepted()).isFalse();
        // 6.12 lists TCR2_EL1 without offering FEAT_TCR2: the same register, but a guest-visible feature difference
        Cell c = cell(m, m.after(), "6.13+tcr2+s1pie", "6.12");
        assertThat(c.verdict()).isEqualTo(CellVerdict.FAILS);
        assertThat(c.headline()).startsWith("guest-visible CPU feature difference: guests on 6.13+tcr2+s1pie see FEAT_TCR2");
    }

    @Test
    void inferredVersionsAreGroupedAndLabelled() {
        FleetPlan p = Fleets.plan(Fleets.kernel("6.14", "6.15", "6.16"), Semantics.SERIES_V2);
        assertThat(p.classes()).hasSize(2);
        HostClass inferred = p.fleet().classOf("6.16").orElseThrow();
        assertThat(inferred.hosts()).containsExactly("6.15", "6.16");
        assertThat(inferred.describe()).as("6.16 is observed on real kernels since the captures").isEqualTo("kernels 6.15+pmu (inferred), 6.16+pmu");
        assertThat(inferred.label()).isEqualTo("6.15+pmu & 1 more");
        assertThat(names(p.hidden())).containsExactly("KVM_REG_ARM_VENDOR_HYP_BMAP_2");
        // two hosts in one class: the diagonal is checked too; BMAP_2 is hidden, so not migrated even between them
        Cell diagonal = p.after().cell(inferred.index(), inferred.index());
        assertThat(diagonal.verdict()).isEqualTo(CellVerdict.CONDITIONAL);
        assertThat(diagonal.conditions()).containsExactly("KVM_REG_ARM_VENDOR_HYP_BMAP_2 == 0");
        assertThat(p.before().cell(inferred.index(), inferred.index()).verdict()).isEqualTo(CellVerdict.LOADS);
        assertThat(p.why(p.entries().get(0), p.fleet().classOf("6.14").orElseThrow().index()).orElseThrow())
                .contains("first listed in 6.15 (inferred)");
    }

    @Test
    void qemu111ReportsWhatRemainsImpossible() {
        FleetPlan p = Fleets.plan(Fleets.kernel("6.13", "6.13+sve", "6.17"), Semantics.QEMU_11_1);
        assertThat(p.entry(RegParser.parse("ZCR_EL1")).orElseThrow().action()).isEqualTo(Action.CPU_MODEL);
        assertThat(p.entry(Fleets.BMAP_2).orElseThrow().action()).isEqualTo(Action.BUILT_IN);
        assertThat(p.accepted()).isFalse();
        Cell c = cell(p, p.after(), "6.13+sve", "6.13");
        assertThat(c.result().qemuLines()).contains("handle_cpreg_only_in_incoming_stream: system register op0:3 op1:0 crn:1 crm:2 op2:0 in the incoming stream but unknown "
                + "on the destination: fail migration");
        // a register 11.1 tolerates although guests use it: TCR2_EL1 on a FEAT_TCR2 host loads, but loses guest state
        FleetPlan t = Fleets.plan(Fleets.kernel("6.13+tcr2", "6.13"), Semantics.QEMU_11_1);
        Cell loss = cell(t, t.after(), "6.13+tcr2", "6.13");
        assertThat(loss.result().loads()).isTrue();
        assertThat(loss.verdict()).isEqualTo(CellVerdict.FAILS); // the feature difference, and the loss below
        assertThat(loss.problems()).anyMatch(x -> x.startsWith("TCR2_EL1 is dropped, but FEAT_TCR2 is visible to guests"));
    }

    @Test
    void seriesV1UnderTcgDoesNothing() {
        FleetPlan p = FleetPlanner.plan(Fleets.seed(), PlanSettings.of(Semantics.SERIES_V1, Accel.TCG));
        assertThat(p.accepted()).isFalse();
        assertThat(p.rejections().get(0)).isEqualTo("series-v1 adds its properties to KVM vCPUs only: under tcg the lists do "
                + "nothing (use series-v2)");
    }

    @Test
    void unknownRegistersAreUnsafeUntilDeclaredInert() {
        // a register no kernel lists and regshim knows nothing about, on one host only
        RegId odd = RegId.sysreg(3, 0, 15, 15, 7);
        Fleet f = withExtraRegister(odd);
        FleetPlan p = Fleets.plan(f, Semantics.SERIES_V1);
        PlanEntry e = p.entry(odd).orElseThrow();
        assertThat(e.safety()).isEqualTo(Safety.UNSAFE);
        assertThat(e.classification().remedy()).contains("--inert S3_0_C15_C15_7");
        assertThat(p.accepted()).isFalse();
        FleetPlan declared = FleetPlanner.plan(f, PlanSettings.of(Semantics.SERIES_V1, Accel.KVM)
                .withInert(List.of(InertRule.parse("S3_0_C15_C15_7=0"))));
        PlanEntry d = declared.entry(odd).orElseThrow();
        assertThat(d.safety()).isEqualTo(Safety.CONDITIONAL);
        assertThat(d.condition()).isEqualTo("S3_0_C15_C15_7 == 0x0");
        assertThat(d.action()).isEqualTo(Action.HIDE);
        assertThat(declared.accepted()).as(String.join("\n", declared.rejections())).isTrue();
    }

    /** 6.13 and a register list file: 6.13's list plus one register. */
    private static Fleet withExtraRegister(RegId extra) {
        dev.regshim.profile.Profile k = dev.regshim.profile.source.ProfileSources.resolve("kernel:6.13");
        dev.regshim.regs.RegSet set = k.vcpus().get(0).cpregs().idSet().union(dev.regshim.regs.RegSet.ofIds(extra));
        dev.regshim.profile.Profile odd = new dev.regshim.profile.Profile(dev.regshim.profile.Provenance.of("list", "odd.txt"),
                null, null, null, null, List.of(new dev.regshim.profile.Profile.Vcpu(0, dev.regshim.regs.CpregArray.idsOnly(set))),
                false, true);
        return Fleet.of(List.of(new FleetHost("k613", "kernel:6.13", k), new FleetHost("odd", "odd.txt", odd)));
    }

    @Test
    void unknownGuestFeaturesMakeGatedRegistersConditional() {
        Fleet f = withExtraRegister(Fleets.TCR2);
        FleetPlan p = Fleets.plan(f, Semantics.SERIES_V1);
        PlanEntry e = p.entry(Fleets.TCR2).orElseThrow();
        assertThat(e.safety()).isEqualTo(Safety.CONDITIONAL);
        assertThat(e.condition()).isEqualTo("guests on odd do not see FEAT_TCR2 (ID_AA64MMFR3_EL1.TCRX = 0)");
        assertThat(p.fleet().classOf("odd").orElseThrow().sees(GuestFeature.TCR2)).isEqualTo(Tri.UNKNOWN);
        assertThat(p.entries().stream().map(PlanEntry::name).collect(Collectors.toList())).containsExactly("TCR2_EL1");
    }
}
