package dev.regshim.regs;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WellKnownRegsTest {

    private static String name(RegId id) {
        return RegCatalog.get().name(id);
    }

    @Test
    void encodingsAreTheOnesTheCatalogNames() {
        assertThat(name(WellKnownRegs.ID_AA64PFR0_EL1)).isEqualTo("ID_AA64PFR0_EL1");
        assertThat(name(WellKnownRegs.ID_AA64MMFR3_EL1)).isEqualTo("ID_AA64MMFR3_EL1");
        assertThat(name(WellKnownRegs.ID_AA64DFR0_EL1)).isEqualTo("ID_AA64DFR0_EL1");
        assertThat(name(WellKnownRegs.HCR_EL2)).isEqualTo("HCR_EL2");
        assertThat(name(WellKnownRegs.PMMIR_EL1)).isEqualTo("PMMIR_EL1");
        assertThat(name(WellKnownRegs.TCR2_EL1)).isEqualTo("TCR2_EL1");
        assertThat(name(WellKnownRegs.PIRE0_EL1)).isEqualTo("PIRE0_EL1");
        assertThat(name(WellKnownRegs.PIR_EL1)).isEqualTo("PIR_EL1");
        assertThat(name(WellKnownRegs.CLIDR_EL1)).isEqualTo("CLIDR_EL1");
        assertThat(name(WellKnownRegs.MPIDR_EL1)).isEqualTo("MPIDR_EL1");
        assertThat(name(WellKnownRegs.DACR32_EL2)).isEqualTo("DACR32_EL2");
    }

    @Test
    void kvmAndAarch32IdsAreTheRawOnes() {
        // the IDs as QEMU prints them in its traces and KVM_GET_REG_LIST returns them
        assertThat(WellKnownRegs.VENDOR_HYP_BMAP_2.value()).isEqualTo(0x6030000000160003L);
        assertThat(WellKnownRegs.DBGDTRTX.value()).isEqualTo(0x40200000200e0298L);
        assertThat(WellKnownRegs.TIMER_CNT.value()).isEqualTo(0x603000000013df1aL);
        assertThat(WellKnownRegs.PTIMER_CNT.value()).isEqualTo(0x603000000013df01L);
    }
}
