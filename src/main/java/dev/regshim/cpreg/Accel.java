package dev.regshim.cpreg;

import dev.regshim.RegshimException;

import java.util.Locale;

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
}
