package dev.regshim.policy;

import dev.regshim.regs.WellKnownRegs;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FeatureGatesTest {

    private static List<Integer> lsbs(FeatureGates.Feature f) {
        return f.fields().stream().map(x -> x.field().lsb()).toList();
    }

    /** The positions the sysreg tables give are the architectural ones the gates relied on. */
    @Test
    void fieldPositionsComeFromTheTables() {
        assertThat(lsbs(FeatureGates.TCR2)).containsExactly(0);
        assertThat(lsbs(FeatureGates.SCTLR2)).containsExactly(4);
        assertThat(lsbs(FeatureGates.S1PIE)).containsExactly(8);
        assertThat(lsbs(FeatureGates.S1POE)).containsExactly(16);
        assertThat(lsbs(FeatureGates.FPMR)).containsExactly(32);
        assertThat(lsbs(FeatureGates.PAUTH)).containsExactly(4, 8, 24, 28);
        assertThat(lsbs(FeatureGates.PAUTH3)).containsExactly(12, 8);
        assertThat(lsbs(FeatureGates.MTE)).containsExactly(8);
        assertThat(lsbs(FeatureGates.SME)).containsExactly(24);
        assertThat(lsbs(FeatureGates.SVE)).containsExactly(32);
        assertThat(lsbs(FeatureGates.EL2)).containsExactly(8);
        assertThat(lsbs(FeatureGates.EL3)).containsExactly(12);
        assertThat(FeatureGates.TCR2.idRegister()).isEqualTo(WellKnownRegs.ID_AA64MMFR3_EL1);
        assertThat(FeatureGates.FPMR.idRegister()).isEqualTo(WellKnownRegs.ID_AA64PFR2_EL1);
        assertThat(FeatureGates.PAUTH.idRegister()).isEqualTo(WellKnownRegs.ID_AA64ISAR1_EL1);
        assertThat(FeatureGates.PAUTH3.idRegister()).isEqualTo(WellKnownRegs.ID_AA64ISAR2_EL1);
        assertThat(FeatureGates.MTE.idRegister()).isEqualTo(WellKnownRegs.ID_AA64PFR1_EL1);
        assertThat(FeatureGates.EL2.idRegister()).isEqualTo(WellKnownRegs.ID_AA64PFR0_EL1);
        assertThat(FeatureGates.gate(WellKnownRegs.TCR2_EL1)).contains(FeatureGates.TCR2);
        assertThat(FeatureGates.gate(WellKnownRegs.PIR_EL1)).contains(FeatureGates.S1PIE);
        assertThat(FeatureGates.gate(WellKnownRegs.HCR_EL2)).contains(FeatureGates.EL2);
    }
}
