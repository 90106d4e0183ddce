package dev.regshim.regs;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RegCatalogTest {

    private final RegCatalog cat = RegCatalog.get();

    @Test
    void timerIdsAreNamedByTheirKvmConstantsBecauseCntAndCvalAreSwapped() {
        assertThat(cat.name(RegId.of(0x603000000013df1aL))).isEqualTo("KVM_REG_ARM_TIMER_CNT");
        assertThat(cat.name(RegId.of(0x603000000013df02L))).isEqualTo("KVM_REG_ARM_TIMER_CVAL");
        assertThat(cat.name(RegId.of(0x603000000013df19L))).isEqualTo("KVM_REG_ARM_TIMER_CTL");
        assertThat(cat.name(RegId.of(0x603000000013df01L))).isEqualTo("KVM_REG_ARM_PTIMER_CNT");
        assertThat(cat.name(RegId.of(0x603000000013df11L))).isEqualTo("KVM_REG_ARM_PTIMER_CTL");
        assertThat(cat.name(RegId.of(0x603000000013df12L))).isEqualTo("KVM_REG_ARM_PTIMER_CVAL");
        assertThat(cat.timerNote(RegId.of(0x603000000013df1aL))).hasValueSatisfying(n -> assertThat(n).contains("CNTV_CVAL_EL0"));
        assertThat(cat.timerNote(RegId.of(0x603000000013c103L))).isEmpty();
        assertThat(cat.encoding(RegId.of(0x603000000013df1aL))).isEqualTo("S3_3_C14_C3_2");
    }

    @Test
    void namesEveryClass() {
        assertThat(cat.name(RegId.of(0x603000000013c103L))).isEqualTo("TCR2_EL1");
        assertThat(cat.name(RegId.fwFeatBmap(3))).isEqualTo("KVM_REG_ARM_VENDOR_HYP_BMAP_2");
        assertThat(cat.name(RegId.fw(0))).isEqualTo("KVM_REG_ARM_PSCI_VERSION");
        assertThat(cat.name(RegId.of(0x6030000000100046L))).isEqualTo("core.ELR_EL1");
        assertThat(cat.name(RegId.of(0x6040000000100054L))).isEqualTo("core.V0");
        assertThat(cat.name(RegId.ccsidr(2))).isEqualTo("CCSIDR[2]");
        assertThat(cat.name(RegId.of(0x6080000000150000L))).isEqualTo("Z0");
        assertThat(cat.name(RegId.of(0x60500000001505e0L))).isEqualTo("P15");
        assertThat(cat.name(RegId.of(0x6050000000150600L))).isEqualTo("FFR");
        assertThat(cat.name(RegId.of(0x606000000015ffffL))).isEqualTo("SVE_VLS");
        assertThat(cat.name(RegId.of(0x40200000200f0082L))).isEqualTo("ID_DFR0");
        assertThat(cat.name(RegId.of(0x40200000000f6800L))).isEqualTo("FCSEIDR_S");
        assertThat(cat.name(RegId.sysreg(3, 0, 15, 15, 7))).as("unnamed sysreg falls back to its encoding").isEqualTo("S3_0_C15_C15_7");
    }

    @Test
    void qemuTraceNames() {
        assertThat(cat.qemuTraceName(RegId.of(0x603000000013c103L))).isEqualTo("op0:3 op1:0 crn:2 crm:0 op2:3");
        assertThat(cat.qemuTraceName(RegId.fw(2))).isEqualTo("fw reg 2");
        assertThat(cat.qemuTraceName(RegId.fwFeatBmap(3))).isEqualTo("fw feat reg 3");
        assertThat(cat.qemuTraceName(RegId.of(0x40200000200f0082L))).isEqualTo("system register 0x200f0082");
    }

    @Test
    void elrEl1IsBothACoreAndASystemRegister() {
        assertThat(cat.lookup("ELR_EL1")).containsExactlyInAnyOrder(RegId.of(0x6030000000100046L), RegId.of(0x603000000013c201L));
        assertThat(cat.lookup("core.ELR_EL1")).containsExactly(RegId.of(0x6030000000100046L));
        assertThat(cat.lookup("tcr2_el1")).containsExactly(RegId.of(0x603000000013c103L));
    }

    /** QEMU 11.2's cpu/sysreg128 carries U128 IDs with a system register encoding: named after their 64-bit twin. */
    @Test
    void sysreg128IdsAreNamedAndParsedBack() {
        RegCatalog cat = RegCatalog.get();
        RegId ttbr0 = RegId.of(0x604000000013c100L);
        assertThat(ttbr0.regClass()).isEqualTo(RegClass.SYSREG128);
        assertThat(cat.name(ttbr0)).isEqualTo("TTBR0_EL1_128");
        assertThat(cat.encoding(ttbr0)).isEqualTo("S3_0_C2_C0_0");
        assertThat(cat.lookup("par_el1_128")).containsExactly(RegId.of(0x604000000013c3a0L));
        // the 64-bit register keeps its own name and ID
        assertThat(cat.lookup("TTBR0_EL1")).containsExactly(RegId.of(0x603000000013c100L));
        // an unnamed encoding still shows it, never a raw hex
        assertThat(cat.name(RegId.of(0x6040000000138100L))).isEqualTo("S2_0_C2_C0_0");
    }
}
