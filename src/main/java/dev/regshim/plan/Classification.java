package dev.regshim.plan;

/**
 * Why leaving a register out of a migration is safe, conditional or unsafe.
 *
 * @param condition for {@link Safety#CONDITIONAL}: what must hold, e.g. {@code KVM_REG_ARM_VENDOR_HYP_BMAP_2 == 0}
 * @param safeValue the register value the condition asks for, when it is about the register's own value
 * @param remedy    for {@link Safety#UNSAFE}: what to do instead of a compat list
 * @param feature   the CPU feature that gates the register, when known
 */
public record Classification(Safety safety, String reason, String condition, Long safeValue, String remedy,
                             GuestFeature feature) {

    static Classification safe(String reason, GuestFeature f) {
        return new Classification(Safety.SAFE, reason, null, null, null, f);
    }

    static Classification conditional(String reason, String condition, GuestFeature f) {
        return new Classification(Safety.CONDITIONAL, reason, condition, null, null, f);
    }

    /** Conditional on the register's own value: the condition can be checked where the value is known. */
    static Classification conditionalOnValue(String reason, String condition, long safeValue) {
        return new Classification(Safety.CONDITIONAL, reason, condition, safeValue, null, null);
    }

    static Classification unsafe(String reason, String remedy, GuestFeature f) {
        return new Classification(Safety.UNSAFE, reason, null, null, remedy, f);
    }

    /** For a value known where the register is dropped: does it meet the condition? Empty when not decidable. */
    public java.util.Optional<Boolean> holdsFor(long value) {
        return safeValue == null ? java.util.Optional.empty() : java.util.Optional.of(value == safeValue);
    }
}
