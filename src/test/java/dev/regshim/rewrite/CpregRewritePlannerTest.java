package dev.regshim.rewrite;

import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.CpregArray;
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
}
