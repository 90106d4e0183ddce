package dev.regshim.policy;

import dev.regshim.cpreg.Accel;
import dev.regshim.regs.CpregArray;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegSet;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CpregRewritePlannerTest {

    static final long ISAR1 = RegId.sysreg(3, 0, 0, 6, 1).value();
    static final long MMFR3 = RegId.sysreg(3, 0, 0, 7, 3).value();
    static final long APIAKEYLO = RegId.sysreg(3, 0, 2, 1, 0).value();
    static final long APIAKEYHI = RegId.sysreg(3, 0, 2, 1, 1).value();
    static final long TCR2 = RegId.sysreg(3, 0, 2, 0, 3).value();
    static final long TPIDR_EL1 = RegId.sysreg(3, 0, 13, 0, 4).value();
    static final long BMAP_2 = 0x6030000000160003L;

    static CpregRewritePlanner.Options opts(Policy p) {
        return new CpregRewritePlanner.Options(Accel.TCG, RegSet.empty(), RegSet.empty(), p, List.of(),
                (id, a, b) -> new IdChangeJudge.Judgement(b >= a, b >= a ? "features added" : "features removed"));
    }

    @Test
    void onlyAConstantWithoutFeatureEvidenceGetsTheInertDeclarationHint() {
        long isar0 = RegId.sysreg(3, 0, 0, 6, 0).value();
        CpregArray src = CpregArray.of(new long[]{isar0, TPIDR_EL1}, new long[]{0x11120, 7});
        CpregArray dst = CpregArray.of(new long[]{TPIDR_EL1}, new long[]{0});
        assertThat(CpregRewritePlanner.plan(0, src, dst, opts(Policy.STRICT)).refusals()).singleElement()
                .satisfies(f -> assertThat(f.reason()).contains("--inert ID_AA64ISAR0_EL1=0x0000000000011120"));
        // state the guest may be using gets no ready-made way out
        CpregArray withState = CpregArray.of(new long[]{TPIDR_EL1, APIAKEYLO}, new long[]{7, 0x1234});
        assertThat(CpregRewritePlanner.plan(0, withState, dst, opts(Policy.STRICT)).refusals()).singleElement()
                .satisfies(f -> assertThat(f.reason()).doesNotContain("--inert"));
    }

    @Test
    void dropsZeroBmap2AndKeepsEverythingElse() {
        CpregArray src = CpregArray.of(new long[]{TPIDR_EL1, BMAP_2}, new long[]{0x5555, 0});
        CpregArray dst = CpregArray.of(new long[]{TPIDR_EL1}, new long[]{0});
        VcpuRewrite r = CpregRewritePlanner.plan(0, src, dst, opts(Policy.STRICT));
        assertThat(r.refused()).isFalse();
        assertThat(r.after().ids()).containsExactly(TPIDR_EL1);
        assertThat(r.after().values()).containsExactly(0x5555);
        assertThat(r.changes()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(RegisterChange.Kind.DROPPED);
            assertThat(c.reason()).contains("0 means unused");
        });
    }

    @Test
    void dropsAZeroPmmirFromA73SourceAndRefusesAnotherValue() {
        long pmmir = RegId.sysreg(3, 0, 9, 14, 6).value();
        CpregArray dst = CpregArray.of(new long[]{TPIDR_EL1}, new long[]{0});
        VcpuRewrite r = CpregRewritePlanner.plan(0, CpregArray.of(new long[]{TPIDR_EL1, pmmir}, new long[]{9, 0}), dst,
                opts(Policy.STRICT));
        assertThat(r.refused()).isFalse();
        assertThat(r.changes()).singleElement().satisfies(c -> assertThat(c.reason())
                .contains("value 0 is what kernels before 7.3 show the guest"));
        assertThat(CpregRewritePlanner.plan(0, CpregArray.of(new long[]{TPIDR_EL1, pmmir}, new long[]{9, 0x10}), dst,
                opts(Policy.STRICT)).refusals()).singleElement().satisfies(f -> assertThat(f.id().value()).isEqualTo(pmmir));
    }

    @Test
    void kvmsResetPatternInARegisterTheGuestCannotReachIsInertUnderKvm() {
        long pire0 = RegId.sysreg(3, 0, 10, 2, 2).value();
        long pattern = 0x1de7ec7edbadc0deL;
        CpregArray src = CpregArray.of(new long[]{MMFR3, pire0}, new long[]{0, pattern});
        CpregArray dst = CpregArray.of(new long[]{MMFR3}, new long[]{0});
        CpregRewritePlanner.Options kvm = new CpregRewritePlanner.Options(Accel.KVM, RegSet.empty(), RegSet.empty(),
                Policy.STRICT, List.of(), null);
        VcpuRewrite r = CpregRewritePlanner.plan(0, src, dst, kvm);
        assertThat(r.refused()).isFalse();
        assertThat(r.changes().get(0).reason()).contains("KVM's reset pattern (never written)").contains("S1PIE=0");
        // the guest could have written it: the feature is present
        CpregArray present = CpregArray.of(new long[]{MMFR3, pire0}, new long[]{0x100, pattern});
        assertThat(CpregRewritePlanner.plan(0, present, CpregArray.of(new long[]{MMFR3}, new long[]{0x100}), kvm).refused()).isTrue();
        // any other value stays refused
        CpregArray written = CpregArray.of(new long[]{MMFR3, pire0}, new long[]{0, 0x1234});
        assertThat(CpregRewritePlanner.plan(0, written, dst, kvm).refused()).isTrue();
    }

    @Test
    void aValueTheDestinationsKvmRefusesIsRefusedOrChangedByPolicy() {
        long psci = 0x6030000000140000L;
        long mmfr2 = RegId.sysreg(3, 0, 0, 7, 2).value();
        // 6.18's values into 6.12 (seen on real kernels): PSCI 1.3 where KVM provides 1.1, MMFR2.NV 0 where it has 2
        CpregArray src = CpregArray.of(new long[]{mmfr2, psci}, new long[]{0x1221011110011011L, 0x10003});
        CpregArray dst = CpregArray.of(new long[]{mmfr2, psci}, new long[]{0x1221011112011011L, 0x10001});
        java.util.Map<Integer, Long> masks = java.util.Map.of(58, 0xf0ff000ff00fffffL);
        CpregRewritePlanner.Options strict = new CpregRewritePlanner.Options(Accel.KVM, RegSet.empty(), RegSet.empty(),
                Policy.STRICT, List.of(), null, dev.regshim.cpreg.KvmWriteRules.withMasks(masks));
        VcpuRewrite r = CpregRewritePlanner.plan(0, src, dst, strict);
        assertThat(r.refusals()).singleElement().satisfies(f -> {
            assertThat(f.id().value()).isEqualTo(psci);
            assertThat(f.reason()).contains("PSCI version 0x10003, KVM provides only 0x10001");
        });
        CpregRewritePlanner.Options tolerant = new CpregRewritePlanner.Options(Accel.KVM, RegSet.empty(), RegSet.empty(),
                Policy.TOLERANT, List.of(), null, dev.regshim.cpreg.KvmWriteRules.withMasks(masks));
        VcpuRewrite t = CpregRewritePlanner.plan(0, src, dst, tolerant);
        assertThat(t.refused()).isFalse();
        assertThat(t.after().values()).containsExactly(0x1221011112011011L, 0x10001);
        // a value the destination's KVM accepts (a writable field lowered) stays the guest's own
        CpregArray lower = CpregArray.of(new long[]{mmfr2}, new long[]{0x1221011112011010L});
        VcpuRewrite kept = CpregRewritePlanner.plan(0, lower, CpregArray.of(new long[]{mmfr2}, new long[]{0x1221011112011011L}), strict);
        assertThat(kept.changes()).isEmpty();
        assertThat(kept.after().values()).containsExactly(0x1221011112011010L);
    }

    @Test
    void refusesToDropANonZeroBmap2UnlessForced() {
        CpregArray src = CpregArray.of(new long[]{TPIDR_EL1, BMAP_2}, new long[]{1, 3});
        CpregArray dst = CpregArray.of(new long[]{TPIDR_EL1}, new long[]{0});
        assertThat(CpregRewritePlanner.plan(0, src, dst, opts(Policy.STRICT)).refusals()).singleElement()
                .satisfies(f -> assertThat(f.id().value()).isEqualTo(BMAP_2));
        VcpuRewrite forced = CpregRewritePlanner.plan(0, src, dst, opts(Policy.FORCE));
        assertThat(forced.refused()).isFalse();
        assertThat(forced.changes()).singleElement().satisfies(c -> assertThat(c.lossy()).isTrue());
    }

    @Test
    void tcr2WithTheFeatureAbsentAndZeroIsInert() {
        CpregArray src = CpregArray.of(new long[]{MMFR3, TCR2}, new long[]{0, 0});
        CpregArray dst = CpregArray.of(new long[]{MMFR3}, new long[]{0});
        VcpuRewrite r = CpregRewritePlanner.plan(0, src, dst, opts(Policy.STRICT));
        assertThat(r.refused()).isFalse();
        assertThat(r.changes().get(0).reason()).contains("TCRX=0");
    }

    @Test
    void pauthKeysAllZeroNeedTheTolerantPolicy() {
        CpregArray src = CpregArray.of(new long[]{ISAR1, APIAKEYLO, APIAKEYHI}, new long[]{0x11, 0, 0});
        CpregArray dst = CpregArray.of(new long[]{ISAR1}, new long[]{0x11});
        assertThat(CpregRewritePlanner.plan(0, src, dst, opts(Policy.STRICT)).refusals()).hasSize(2);
        VcpuRewrite t = CpregRewritePlanner.plan(0, src, dst, opts(Policy.TOLERANT));
        assertThat(t.refused()).isFalse();
        assertThat(t.changes()).allSatisfy(c -> assertThat(c.reason()).contains("never enabled"));
    }

    @Test
    void idRegisterChangesOnlyInTheSafeDirection() {
        CpregArray src = CpregArray.of(new long[]{ISAR1}, new long[]{0x10});
        CpregArray up = CpregArray.of(new long[]{ISAR1}, new long[]{0x11});
        CpregArray down = CpregArray.of(new long[]{ISAR1}, new long[]{0x01});
        VcpuRewrite ok = CpregRewritePlanner.plan(0, src, up, opts(Policy.STRICT));
        assertThat(ok.after().values()).containsExactly(0x11);
        assertThat(CpregRewritePlanner.plan(0, src, down, opts(Policy.STRICT)).refused()).isTrue();
    }

    @Test
    void destinationOnlyRegistersAreAddedWithTheDestinationValue() {
        CpregArray src = CpregArray.of(new long[]{TPIDR_EL1}, new long[]{7});
        CpregArray dst = CpregArray.of(new long[]{TCR2, TPIDR_EL1}, new long[]{0, 0});
        VcpuRewrite r = CpregRewritePlanner.plan(0, src, dst, opts(Policy.STRICT));
        assertThat(r.after().ids()).containsExactly(TCR2, TPIDR_EL1);
        assertThat(r.after().values()).containsExactly(0, 7);
    }

    static final long PAR32 = SharedState.PAR32.value();
    static final long PAR64 = SharedState.PAR64.value();
    static final long DACR = SharedState.DACR.value();
    static final long DACR32_EL2 = SharedState.DACR32_EL2.value();

    @Test
    void aViewWhoseStateMigratesUnderAnotherIdIsDroppedWhenTheValuesAgree() {
        // QEMU 10.0 no longer lists the 32-bit PAR: its state is PAR_64's low half
        CpregArray dst = CpregArray.of(new long[]{PAR64}, new long[]{0});
        VcpuRewrite r = CpregRewritePlanner.plan(0, CpregArray.of(new long[]{PAR32, PAR64},
                new long[]{0x0000_0000_8000_0f00L, 0x0000_0001_8000_0f00L}), dst, opts(Policy.STRICT));
        assertThat(r.refused()).isFalse();
        assertThat(r.after().ids()).containsExactly(PAR64);
        assertThat(r.after().values()).containsExactly(0x0000_0001_8000_0f00L);
        assertThat(r.changes()).singleElement().satisfies(c -> assertThat(c.reason()).contains("PAR_64"));

        // values that disagree, or a carrier the destination does not take, prove nothing
        assertThat(CpregRewritePlanner.plan(0, CpregArray.of(new long[]{PAR32, PAR64}, new long[]{1, 2}), dst,
                opts(Policy.STRICT)).refused()).isTrue();
        assertThat(CpregRewritePlanner.plan(0, CpregArray.of(new long[]{PAR32}, new long[]{5}),
                CpregArray.of(new long[]{TPIDR_EL1}, new long[]{0}), opts(Policy.STRICT)).refused()).isTrue();
        CpregRewritePlanner.Options hidingCarrier = new CpregRewritePlanner.Options(Accel.TCG, RegSet.of(PAR64),
                RegSet.empty(), Policy.STRICT, List.of(), null);
        assertThat(CpregRewritePlanner.plan(0, CpregArray.of(new long[]{PAR32, PAR64}, new long[]{7, 7}),
                CpregArray.of(new long[]{PAR64}, new long[]{0}), hidingCarrier).refusals())
                .extracting(f -> f.id().value()).contains(PAR32);
    }

    @Test
    void dacr32El2WithoutEl2IsCarriedByTheAarch32Dacr() {
        VcpuRewrite r = CpregRewritePlanner.plan(0, CpregArray.of(new long[]{DACR, DACR32_EL2},
                new long[]{0x55555555L, 0x55555555L}), CpregArray.of(new long[]{DACR}, new long[]{0}), opts(Policy.STRICT));
        assertThat(r.refused()).isFalse();
        assertThat(r.after().values()).containsExactly(0x55555555L);
    }

    @Test
    void qemusOwnDbgdevidEncodingsAreConstants() {
        // QEMU lists DBGDEVID at p14 c7 c0 opc2=2 (and DBGDEVID1/2 at opc2=1/0), not at the architectural c7 c2 7
        long dbgdevid = RegId.aarch32(false, true, 14, 7, 0, 0, 2).value();
        assertThat(dev.regshim.regs.RegCatalog.get().name(RegId.of(dbgdevid))).isEqualTo("QEMU_DBGDEVID");
        assertThat(dev.regshim.cpreg.TcgConstRegisters.isConst(RegId.of(dbgdevid))).isTrue();
        CpregArray src = CpregArray.of(new long[]{dbgdevid}, new long[]{0x01110f13L});
        CpregArray dst = CpregArray.of(new long[]{dbgdevid}, new long[]{0x00110f13L});
        VcpuRewrite strict = CpregRewritePlanner.plan(0, src, dst, new CpregRewritePlanner.Options(Accel.TCG,
                RegSet.empty(), RegSet.empty(), Policy.STRICT, List.of(), null));
        assertThat(strict.refusals()).singleElement().satisfies(f -> assertThat(f.reason()).contains("no field layout"));
        VcpuRewrite forced = CpregRewritePlanner.plan(0, src, dst, new CpregRewritePlanner.Options(Accel.TCG,
                RegSet.empty(), RegSet.empty(), Policy.FORCE, List.of(), null));
        assertThat(forced.after().values()).containsExactly(0x00110f13L);
        assertThat(forced.changes()).singleElement().satisfies(c -> assertThat(c.lossy()).isTrue());
    }

    @Test
    void registersOfTheLevelTheVcpuExecutesAtAreNeverInert() {
        long hcr = RegId.sysreg(3, 4, 1, 1, 0).value();
        long vbar2 = RegId.sysreg(3, 4, 12, 0, 0).value();
        CpregArray src = CpregArray.of(new long[]{TPIDR_EL1, hcr, vbar2}, new long[]{1, 0, 0});
        CpregArray dst = CpregArray.of(new long[]{TPIDR_EL1}, new long[]{0});
        // every EL2 register still zero: tolerant drops them for a vCPU at EL1 ...
        assertThat(CpregRewritePlanner.plan(0, src, dst, opts(Policy.TOLERANT), java.util.OptionalInt.of(1))
                .refused()).isFalse();
        // ... but not for one executing at EL2, whatever the policy short of force
        VcpuRewrite atEl2 = CpregRewritePlanner.plan(0, src, dst, opts(Policy.TOLERANT), java.util.OptionalInt.of(2));
        assertThat(atEl2.refusals()).hasSize(2).allSatisfy(f -> assertThat(f.reason()).contains("executing at EL2"));
        assertThat(FeatureGates.currentEl(0x800003c9)).isEqualTo(2); // EL2h, as QEMU saved the EL2 counter guest
        assertThat(FeatureGates.currentEl(0x600003c5)).isEqualTo(1); // EL1h
        assertThat(FeatureGates.currentEl(0x1a)).isEqualTo(2);       // AArch32 Hyp mode
        assertThat(FeatureGates.currentEl(0x10)).isZero();            // AArch32 User mode
    }
}
