package dev.regshim.regs.fields;

/**
 * One decoded field of a register value.
 *
 * @param value    the raw field bits
 * @param enumName the sysreg enum name of the value ({@code IMP}, {@code NI}, {@code PAuth}...), or null
 * @param signed   whether the kernel compares the field as a signed number (0xf = -1 = not implemented)
 * @param rule     the cpufeature safety rule, {@link SafetyRule#NONE} when none
 */
public record FieldValue(String name, int msb, int lsb, long value, String enumName, boolean signed,
                         FieldKind kind, SafetyRule rule) {

    public int width() {
        return msb - lsb + 1;
    }

    /** The value as the kernel compares it (sign-extended for signed fields). */
    public long numeric() {
        return signed ? FieldDef.signExtend(value, width()) : value;
    }

    /** {@code 27:24} or {@code 31} for one bit. */
    public String bits() {
        return msb == lsb ? Integer.toString(msb) : msb + ":" + lsb;
    }
}
