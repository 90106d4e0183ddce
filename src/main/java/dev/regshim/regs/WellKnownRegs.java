package dev.regshim.regs;

import java.util.List;

/**
 * The registers regshim's rules name, defined once: every policy, tolerance, classifier and layout refers to these
 * constants instead of spelling an encoding again. Encodings are the architecture's ({@code arch/arm64/tools/sysreg})
 * and KVM's ({@code arch/arm64/include/uapi/asm/kvm.h}); AArch32 views as QEMU's {@code cpreg_to_kvm_id} forms them.
 */
public final class WellKnownRegs {

    // ID (feature) registers
    public static final RegId MIDR_EL1 = RegId.sysreg(3, 0, 0, 0, 0);
    /** Written by QEMU at vCPU init, outside the cpreg list. */
    public static final RegId MPIDR_EL1 = RegId.sysreg(3, 0, 0, 0, 5);
    public static final RegId ID_AA64PFR0_EL1 = RegId.sysreg(3, 0, 0, 4, 0);
    public static final RegId ID_AA64PFR1_EL1 = RegId.sysreg(3, 0, 0, 4, 1);
    public static final RegId ID_AA64PFR2_EL1 = RegId.sysreg(3, 0, 0, 4, 2);
    public static final RegId ID_AA64DFR0_EL1 = RegId.sysreg(3, 0, 0, 5, 0);
    public static final RegId ID_AA64ISAR1_EL1 = RegId.sysreg(3, 0, 0, 6, 1);
    public static final RegId ID_AA64ISAR2_EL1 = RegId.sysreg(3, 0, 0, 6, 2);
    public static final RegId ID_AA64MMFR3_EL1 = RegId.sysreg(3, 0, 0, 7, 3);
    /** The cache hierarchy; v6.1's DEMUX CCSIDR list depends on the host's. */
    public static final RegId CLIDR_EL1 = RegId.sysreg(3, 1, 0, 0, 1);
    public static final RegId CTR_EL0 = RegId.sysreg(3, 3, 0, 0, 1);
    public static final RegId DCZID_EL0 = RegId.sysreg(3, 3, 0, 0, 7);

    // state registers rules single out
    /** Listed (KVM) or migrated (TCG) only for a vCPU that has EL2. */
    public static final RegId HCR_EL2 = RegId.sysreg(3, 4, 1, 1, 0);
    /** Listed by KVM from 7.3 for every vCPU with a PMU. */
    public static final RegId PMMIR_EL1 = RegId.sysreg(3, 0, 9, 14, 6);
    public static final RegId TCR2_EL1 = RegId.sysreg(3, 0, 2, 0, 3);
    public static final RegId PIRE0_EL1 = RegId.sysreg(3, 0, 10, 2, 2);
    public static final RegId PIR_EL1 = RegId.sysreg(3, 0, 10, 2, 3);
    public static final RegId PAR_EL1 = RegId.sysreg(3, 0, 7, 4, 0);
    /** Holds the AArch32 DACR. */
    public static final RegId DACR32_EL2 = RegId.sysreg(3, 4, 3, 0, 0);
    /** Holds the AArch32 IFSR. */
    public static final RegId IFSR32_EL2 = RegId.sysreg(3, 4, 5, 0, 1);

    // KVM's own registers
    /** KVM_REG_ARM_VENDOR_HYP_BMAP_2: vendor hypervisor services 64-127; 0 means none exposed. */
    public static final RegId VENDOR_HYP_BMAP_2 = RegId.fwFeatBmap(3);
    /** KVM_REG_ARM_PTIMER_CNT: the EL1 physical timer's count. */
    public static final RegId PTIMER_CNT = RegId.sysreg(3, 3, 14, 0, 1);
    /** KVM_REG_ARM_PTIMER_CTL. */
    public static final RegId PTIMER_CTL = RegId.sysreg(3, 3, 14, 2, 1);
    /** KVM_REG_ARM_PTIMER_CVAL. */
    public static final RegId PTIMER_CVAL = RegId.sysreg(3, 3, 14, 2, 2);
    /** KVM_REG_ARM_TIMER_CNT: the virtual count, which QEMU reads and writes itself (vtime). */
    public static final RegId TIMER_CNT = RegId.sysreg(3, 3, 14, 3, 2);

    // AArch32 views (Non-secure)
    private static final int CP14 = 14;
    private static final int CP15 = 15;
    /** 32-bit PAR: PAR[31:0]. */
    public static final RegId PAR32 = RegId.aarch32(false, true, CP15, 7, 4, 0, 0);
    /** 64-bit PAR. */
    public static final RegId PAR64 = RegId.aarch32(true, true, CP15, 0, 7, 0, 0);
    public static final RegId DACR = RegId.aarch32(false, true, CP15, 3, 0, 0, 0);
    public static final RegId IFSR = RegId.aarch32(false, true, CP15, 5, 0, 0, 1);
    /** QEMU's bogus AArch32 DBGDTRTX view (p14 opc1=3 c0 c5 opc2=0; TCG, QEMU 10.0 and earlier): it always UNDEFs. */
    public static final RegId DBGDTRTX = RegId.aarch32(false, true, CP14, 0, 5, 3, 0);

    /** The EL1 physical timer's KVM registers. */
    public static final List<RegId> PTIMER = List.of(PTIMER_CNT, PTIMER_CTL, PTIMER_CVAL);

    private WellKnownRegs() {
    }
}
