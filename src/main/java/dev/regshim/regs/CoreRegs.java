package dev.regshim.regs;

import java.util.ArrayList;
import java.util.List;

/**
 * The KVM core registers: {@code KVM_REG_ARM_CORE_REG(field)} is the offset of the field in
 * {@code struct kvm_regs} counted in 32-bit words.
 */
final class CoreRegs {

    static final int X0 = 0x00;          // regs.regs[n] at 2n, n = 0..30
    static final int SP = 0x3e;          // regs.sp (SP_EL0)
    static final int PC = 0x40;
    static final int PSTATE = 0x42;
    static final int SP_EL1 = 0x44;
    static final int ELR_EL1 = 0x46;
    static final int SPSR0 = 0x48;       // spsr[i] at 0x48 + 2i, i = 0..4
    static final int V0 = 0x54;          // fp_regs.vregs[n] at 0x54 + 4n, n = 0..31, U128
    static final int FPSR = 0xd4;        // U32
    static final int FPCR = 0xd5;        // U32
    private static final String[] SPSR_NAMES = {"SPSR_EL1", "SPSR_ABT", "SPSR_UND", "SPSR_IRQ", "SPSR_FIQ"};

    private CoreRegs() {
    }

    /** The field name (without the {@code core.} prefix), or null when the index is not a known field. */
    static String name(RegId id) {
        int i = id.index16();
        long size = id.value() & RegId.SIZE_MASK;
        if (i < SP && i % 2 == 0 && size == RegId.SIZE_U64) {
            return "X" + (i / 2);
        }
        if (size == RegId.SIZE_U64) {
            switch (i) {
                case SP: return "SP";
                case PC: return "PC";
                case PSTATE: return "PSTATE";
                case SP_EL1: return "SP_EL1";
                case ELR_EL1: return "ELR_EL1";
                default:
                    if (i >= SPSR0 && i < SPSR0 + 2 * SPSR_NAMES.length && (i - SPSR0) % 2 == 0) {
                        return SPSR_NAMES[(i - SPSR0) / 2];
                    }
                    return null;
            }
        }
        if (size == RegId.SIZE_U128 && i >= V0 && i < V0 + 4 * 32 && (i - V0) % 4 == 0) {
            return "V" + ((i - V0) / 4);
        }
        if (size == RegId.SIZE_U32 && i == FPSR) {
            return "FPSR";
        }
        if (size == RegId.SIZE_U32 && i == FPCR) {
            return "FPCR";
        }
        return null;
    }

    static List<RegId> all() {
        List<RegId> out = new ArrayList<>();
        for (int n = 0; n <= 30; n++) {
            out.add(RegId.core(RegId.SIZE_U64, 2 * n));
        }
        for (int i : new int[]{SP, PC, PSTATE, SP_EL1, ELR_EL1}) {
            out.add(RegId.core(RegId.SIZE_U64, i));
        }
        for (int s = 0; s < SPSR_NAMES.length; s++) {
            out.add(RegId.core(RegId.SIZE_U64, SPSR0 + 2 * s));
        }
        for (int v = 0; v < 32; v++) {
            out.add(RegId.core(RegId.SIZE_U128, V0 + 4 * v));
        }
        out.add(RegId.core(RegId.SIZE_U32, FPSR));
        out.add(RegId.core(RegId.SIZE_U32, FPCR));
        return out;
    }
}
