package dev.regshim.plan;

/**
 * Why leaving a register out of a migration is safe, conditional or unsafe.
 *
 * @param condition for {@link Safety#CONDITIONAL}: what must hold, e.g. {@code KVM_REG_ARM_VENDOR_HYP_BMAP_2 == 0}
 * @param remedy    for {@link Safety#UNSAFE}: what to do instead of a compat list
 * @param feature   the CPU feature that gates the register, when known
 */
public record Classification(Safety safety, String reason, String condition, String remedy, GuestFeature feature) {

    static Classification safe(String reason, GuestFeature f) {
        return new Classification(Safety.SAFE, reason, null, null, f);
    }

    static Classification conditional(String reason, String condition, GuestFeature f) {
        return new Classification(Safety.CONDITIONAL, reason, condition, null, f);
    }

    static Classification unsafe(String reason, String remedy, GuestFeature f) {
        return new Classification(Safety.UNSAFE, reason, null, remedy, f);
    }
}
