package dev.regshim.regs;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CpregArrayTest {

    @Test
    void aSortedArrayIsSearchedInUnsignedOrder() {
        long[] ids = {0x4020_0000_200e_0298L, 0x6030_0000_0013_c103L, 0x8000_0000_0000_0001L, 0xffff_ffff_ffff_fff0L};
        CpregArray a = CpregArray.of(ids, new long[]{1, 2, 3, 4});
        assertThat(a.isSortedUnique()).isTrue();
        for (int i = 0; i < ids.length; i++) {
            assertThat(a.indexOf(ids[i])).isEqualTo(i);
            assertThat(a.valueOf(RegId.of(ids[i]))).hasValue(i + 1);
        }
        assertThat(a.indexOf(0x6030_0000_0013_c102L)).isEqualTo(-1);
        assertThat(a.indexOf(0xffff_ffff_ffff_ffffL)).isEqualTo(-1);
        assertThat(a.indexOf(0)).isEqualTo(-1);
        assertThat(a.contains(RegId.of(0x8000_0000_0000_0001L))).isTrue();
    }

    @Test
    void anUnsortedArrayIsStillFound() {
        long[] ids = {0x6030_0000_0013_c103L, 0x4020_0000_200e_0298L, 0x6030_0000_0013_c103L};
        CpregArray a = CpregArray.of(ids, new long[]{1, 2, 3});
        assertThat(a.isSortedUnique()).isFalse();
        assertThat(a.indexOf(0x4020_0000_200e_0298L)).isEqualTo(1);
        assertThat(a.indexOf(0x6030_0000_0013_c103L)).isZero(); // the first, as QEMU's linear walks see it
        assertThat(a.valueOf(RegId.of(0x6030_0000_0013_c103L))).hasValue(1);
    }

    @Test
    void ofCopiesTheCallersArrays() {
        long[] ids = {1, 2};
        long[] values = {10, 20};
        CpregArray a = CpregArray.of(ids, values);
        ids[0] = 5;
        values[0] = 50;
        assertThat(a.id(0)).isEqualTo(1);
        assertThat(a.value(0)).isEqualTo(10);
        assertThat(CpregArray.of(new long[]{3}, null).valueOf(RegId.of(3))).isEmpty();
    }
}
