package dev.regshim.regs.fields;

import java.util.Map;

/** One bit range of a register layout, with its enum value names and cpufeature safety rule. */
record FieldDef(String name, int msb, int lsb, FieldKind kind, boolean signed, SafetyRule rule, Map<Long, String> enumNames) {

    /** The sysreg enum name the architecture gives "not implemented". */
    static final String NOT_IMPLEMENTED = "NI";

    int width() {
        return msb - lsb + 1;
    }

    long mask() {
        return width() == Long.SIZE ? -1L : ((1L << width()) - 1) << lsb;
    }

    long extract(long registerValue) {
        return (registerValue & mask()) >>> lsb;
    }

    long numeric(long raw) {
        return signed ? signExtend(raw, width()) : raw;
    }

    String enumName(long raw) {
        return enumNames.get(raw);
    }

    /**
     * Whether the raw value means "feature not implemented". Only the sysreg enum can say so: value 0 of an unsigned
     * feature field and 0xf of a signed one are named {@code NI}, while 0 of e.g. TGRAN4_2, ASIDBITS or DZP is a
     * real value the guest relies on.
     */
    boolean notImplemented(long raw) {
        return NOT_IMPLEMENTED.equals(enumNames.get(raw));
    }

    FieldValue value(long registerValue) {
        long raw = extract(registerValue);
        return new FieldValue(name, msb, lsb, raw, enumName(raw), signed, kind, rule);
    }

    static long signExtend(long raw, int width) {
        int shift = Long.SIZE - width;
        return (raw << shift) >> shift;
    }
}
