package dev.regshim.regs;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegIdTest {

    @Test
    void sysregFieldsDecode() {
        RegId tcr2 = RegId.of(0x603000000013c103L);
        assertThat(tcr2.regClass()).isEqualTo(RegClass.SYSREG);
        assertThat(new int[]{tcr2.op0(), tcr2.op1(), tcr2.crn(), tcr2.crm(), tcr2.op2()}).containsExactly(3, 0, 2, 0, 3);
        assertThat(tcr2.sizeBytes()).isEqualTo(8);
        assertThat(tcr2.sysregEncoding()).isEqualTo("S3_0_C2_C0_3");
        assertThat(RegId.sysreg(3, 0, 2, 0, 3)).isEqualTo(tcr2);
        assertThat(RegId.sysreg(3, 3, 10, 2, 4).value()).isEqualTo(0x603000000013dd14L); // POR_EL0
        assertThat(tcr2.syncsViaCpregList()).isTrue();
        assertThat(tcr2.qemuCpregKey()).isEqualTo(0x1013c103);
        assertThat(tcr2.hex()).isEqualTo("0x603000000013c103");
    }

    @Test
    void sysregFactoryRejectsOutOfRange() {
        assertThatThrownBy(() -> RegId.sysreg(4, 0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("op0");
        assertThatThrownBy(() -> RegId.sysreg(3, 0, 16, 0, 0)).hasMessageContaining("CRn");
    }

    @Test
    void coreRegistersWithTheirSizes() {
        RegId elr = RegId.of(0x6030000000100046L);
        assertThat(elr.regClass()).isEqualTo(RegClass.CORE);
        assertThat(elr.syncsViaCpregList()).isFalse();
        RegId v0 = RegId.of(0x6040000000100054L);
        assertThat(v0.regClass()).isEqualTo(RegClass.CORE);
        assertThat(v0.sizeBytes()).isEqualTo(16);
        RegId fpsr = RegId.of(0x60200000001000d4L);
        assertThat(fpsr.sizeBytes()).isEqualTo(4);
        assertThat(RegId.core(RegId.SIZE_U64, 0x40)).isEqualTo(RegId.of(0x6030000000100040L));
    }

    @Test
    void demuxFwBitmapAndSve() {
        assertThat(RegId.ccsidr(2)).isEqualTo(RegId.of(0x6020000000110002L));
        assertThat(RegId.ccsidr(2).regClass()).isEqualTo(RegClass.DEMUX_CCSIDR);
        assertThat(RegId.of(0x6030000000110002L).regClass()).as("DEMUX must be U32").isEqualTo(RegClass.UNKNOWN);
        assertThat(RegId.fw(0)).isEqualTo(RegId.of(0x6030000000140000L));
        assertThat(RegId.fw(0).regClass()).isEqualTo(RegClass.FW);
        assertThat(RegId.fwFeatBmap(3)).isEqualTo(RegId.of(0x6030000000160003L));
        assertThat(RegId.fwFeatBmap(3).regClass()).isEqualTo(RegClass.FW_FEAT_BMAP);
        RegId z0 = RegId.of(0x6080000000150000L);
        assertThat(z0.regClass()).isEqualTo(RegClass.SVE);
        assertThat(z0.sizeBytes()).isEqualTo(256);
        assertThat(z0.syncsViaCpregList()).isFalse();
        assertThat(RegId.of(0x606000000015ffffL).regClass()).isEqualTo(RegClass.SVE);
        assertThat(RegId.ccsidr(0).syncsViaCpregList()).isTrue();
        assertThat(RegId.fwFeatBmap(3).syncsViaCpregList()).isTrue();
    }

    @Test
    void aarch32Cp32WithNsBit() {
        RegId dfr0 = RegId.of(0x40200000200f0082L); // p15 c0 opc1=0 c1 opc2=2, non-secure bank
        assertThat(dfr0.regClass()).isEqualTo(RegClass.AARCH32_CP32);
        assertThat(dfr0.cpNum()).isEqualTo(15);
        assertThat(dfr0.cpNs()).isTrue();
        assertThat(new int[]{dfr0.cpCrn(), dfr0.cpCrm(), dfr0.cpOpc1(), dfr0.cpOpc2()}).containsExactly(0, 1, 0, 2);
        assertThat(dfr0.sizeBytes()).isEqualTo(4);
        assertThat(RegId.aarch32(false, true, 15, 0, 1, 0, 2)).isEqualTo(dfr0);

        RegId secure = RegId.of(0x40200000000f6800L); // p15 c13 opc1=0 c0 opc2=0, Secure bank (NS clear)
        assertThat(secure.regClass()).isEqualTo(RegClass.AARCH32_CP32);
        assertThat(secure.cpNs()).isFalse();
        assertThat(secure.cpCrn()).isEqualTo(13);
        assertThat(RegId.aarch32(false, false, 15, 13, 0, 0, 0)).isEqualTo(secure);
        assertThat(secure.syncsViaCpregList()).isTrue();
        // QEMU's kvm_to_cpreg_id marks every AArch32 entry non-secure: 11.1 prints the Secure CSSELR_S
        // (0x40200000000f0010) as "system register 0x200f0010" (seen in Qemu11FidelityTest's random sample)
        assertThat(secure.qemuCpregKey()).isEqualTo(0x200f6800);
    }

    @Test
    void aarch32Cp64() {
        RegId ttbr0 = RegId.aarch32(true, true, 15, 0, 2, 0, 0);
        assertThat(ttbr0.value()).isEqualTo(0x40300000200f0100L);
        assertThat(ttbr0.regClass()).isEqualTo(RegClass.AARCH32_CP64);
        assertThat(ttbr0.isCp64()).isTrue();
        assertThat(ttbr0.cpCrm()).isEqualTo(2);
        assertThat(ttbr0.qemuCpregKey()).isEqualTo(0x200f0100 | 1 << 15);
        assertThatThrownBy(() -> RegId.aarch32(true, true, 15, 1, 2, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(RegId.of(0x40300000200f0882L).regClass()).as("64-bit with CRn set").isEqualTo(RegClass.UNKNOWN);
    }

    @Test
    void unknownClassesAreKeptRaw() {
        for (long raw : new long[]{0x7030000000000001L, 0x6030000100130000L, 0x6030000000170000L, 0x6010000000130000L,
            0x4020000100000000L, 0xffffffffffffffffL}) {
            RegId id = RegId.of(raw);
            assertThat(id.regClass()).as(id.hex()).isEqualTo(RegClass.UNKNOWN);
            assertThat(id.value()).isEqualTo(raw);
            assertThat(RegCatalog.get().name(id)).isEqualTo(id.hex());
            assertThat(id.syncsViaCpregList()).isTrue();
        }
    }

    @Test
    void ordersUnsignedLikeQemu() {
        List<RegId> ids = new ArrayList<>(List.of(RegId.of(0x8000000000000000L), RegId.of(0x603000000013c103L),
                RegId.of(0x40200000200f0082L), RegId.of(0xffffffffffffffffL), RegId.of(0x6020000000110000L)));
        Collections.sort(ids);
        assertThat(ids).extracting(RegId::value).containsExactly(0x40200000200f0082L, 0x6020000000110000L,
                0x603000000013c103L, 0x8000000000000000L, 0xffffffffffffffffL);
    }
}
