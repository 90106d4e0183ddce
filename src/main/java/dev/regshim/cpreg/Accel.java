package dev.regshim.cpreg;

import dev.regshim.RegshimException;
import dev.regshim.regs.RegClass;
import dev.regshim.regs.RegId;

import java.util.Locale;
import java.util.Optional;

/** The destination's accelerator: it decides how registers reach the vCPU after the merge. */
public enum Accel {
    /** QEMU's own CPU model: every register is raw-written and read back; constant (ID) registers must match. */
    TCG,
    /** The kernel's vCPU: {@code KVM_SET_ONE_REG} for every register, which rejects illegal values. */
    KVM;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Accel parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new RegshimException("unknown accelerator '" + s + "'; choose tcg or kvm");
        }
    }

    /**
     * The accelerator a register list was made under, from the first register that tells: KVM lists carry firmware
     * pseudo-registers and CCSIDR demux entries, TCG lists carry AArch32 views. Empty when none tells.
     */
    public static Optional<Accel> inferredFrom(Iterable<RegId> ids) {
        for (RegId id : ids) {
            RegClass c = id.regClass();
            if (c == RegClass.FW || c == RegClass.FW_FEAT_BMAP || c == RegClass.DEMUX_CCSIDR) {
                return Optional.of(KVM);
            }
            if (c == RegClass.AARCH32_CP32 || c == RegClass.AARCH32_CP64) {
                return Optional.of(TCG);
            }
        }
        return Optional.empty();
    }
}
