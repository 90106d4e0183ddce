package dev.regshim.regs;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RegSetTest {

    private static final long A32 = 0x40200000200f0082L;
    private static final long TCR2 = 0x603000000013c103L;
    private static final long PIR = 0x603000000013c513L;
    private static final long BMAP2 = 0x6030000000160003L;
    private static final long HIGH = 0x8000000000000001L; // negative as a signed long

    @Test
    void sortsUnsignedAndRemovesDuplicates() {
        RegSet s = RegSet.of(HIGH, TCR2, A32, TCR2, BMAP2);
        assertThat(s.toArray()).containsExactly(A32, TCR2, BMAP2, HIGH);
        assertThat(s.size()).isEqualTo(4);
        assertThat(s.get(3).value()).isEqualTo(HIGH);
        assertThat(s.asList()).extracting(RegId::value).containsExactly(A32, TCR2, BMAP2, HIGH);
        assertThat(RegSet.of(List.of(RegId.of(TCR2), RegId.of(A32)))).isEqualTo(RegSet.of(A32, TCR2));
    }

    @Test
    void containsUsesUnsignedOrder() {
        RegSet s = RegSet.of(HIGH, TCR2, A32);
        assertThat(s.contains(HIGH)).isTrue();
        assertThat(s.contains(RegId.of(A32))).isTrue();
        assertThat(s.contains(PIR)).isFalse();
        assertThat(s.contains(0xffffffffffffffffL)).isFalse();
        assertThat(RegSet.empty().contains(TCR2)).isFalse();
    }

    @Test
    void setAlgebra() {
        RegSet a = RegSet.of(A32, TCR2, PIR, HIGH);
        RegSet b = RegSet.of(TCR2, BMAP2, HIGH);
        assertThat(a.union(b).toArray()).containsExactly(A32, TCR2, PIR, BMAP2, HIGH);
        assertThat(a.intersect(b).toArray()).containsExactly(TCR2, HIGH);
        assertThat(a.minus(b).toArray()).containsExactly(A32, PIR);
        assertThat(b.minus(a).toArray()).containsExactly(BMAP2);
        RegSetDiff d = a.diff(b);
        assertThat(d.onlyLeft()).isEqualTo(RegSet.of(A32, PIR));
        assertThat(d.onlyRight()).isEqualTo(RegSet.of(BMAP2));
        assertThat(d.common()).isEqualTo(RegSet.of(TCR2, HIGH));
        assertThat(d.isEmpty()).isFalse();
        assertThat(a.diff(RegSet.of(HIGH, PIR, TCR2, A32)).isEmpty()).isTrue();
        assertThat(a.containsAll(RegSet.of(TCR2, HIGH))).isTrue();
        assertThat(a.containsAll(b)).isFalse();
        assertThat(a.filter(id -> RegId.of(id).regClass() == RegClass.SYSREG).toArray()).containsExactly(TCR2, PIR);
        assertThat(a.union(RegSet.empty())).isEqualTo(a);
        assertThat(RegSet.empty().minus(a).isEmpty()).isTrue();
    }

    @Test
    void equalityAndIteration() {
        RegSet a = RegSet.of(TCR2, A32);
        RegSet b = RegSet.ofIds(RegId.of(A32), RegId.of(TCR2));
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).containsExactly(RegId.of(A32), RegId.of(TCR2));
        assertThat(a.longs().toArray()).containsExactly(A32, TCR2);
        long[] copy = a.toArray();
        copy[0] = 0;
        assertThat(a.toArray()[0]).as("toArray is a copy").isEqualTo(A32);
    }
}
