package dev.regshim.regs;

/** The classes of register ID a {@link RegId} can belong to. */
public enum RegClass {
    /** {@code KVM_REG_ARM_CORE}: X0–X30, SP, PC, PSTATE, SP_EL1, ELR_EL1, SPSR[], V0–V31, FPSR, FPCR. Never in QEMU's cpreg list. */
    CORE("core"),
    /** {@code KVM_REG_ARM_DEMUX} CCSIDR, one per CSSELR value. */
    DEMUX_CCSIDR("demux"),
    /** AArch64 system register {@code ARM64_SYS_REG(op0, op1, CRn, CRm, op2)}. */
    SYSREG("sysreg"),
    /**
     * AArch64 128-bit system register (FEAT_SYSREG128: TTBR0_EL1, PAR_EL1, ...), an ID of size U128 with a system
     * register encoding, as QEMU 11.2's {@code cpu/sysreg128} subsection carries it. Named {@code NAME_128}.
     */
    SYSREG128("sysreg128"),
    /** Firmware pseudo-registers: PSCI version, SMCCC workarounds. */
    FW("fw"),
    /** Firmware feature bitmaps (hypercall services). */
    FW_FEAT_BMAP("fw-feat-bmap"),
    /** SVE Z/P/FFR slices and VLS. Never in QEMU's cpreg list. */
    SVE("sve"),
    /** AArch32 32-bit coprocessor register (QEMU TCG lists; {@code 0x4020…}). */
    AARCH32_CP32("aarch32-cp32"),
    /** AArch32 64-bit coprocessor register (QEMU TCG lists; {@code 0x4030…}). */
    AARCH32_CP64("aarch32-cp64"),
    /** Anything else: kept and shown raw, never dropped. */
    UNKNOWN("unknown");

    private final String label;

    RegClass(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
