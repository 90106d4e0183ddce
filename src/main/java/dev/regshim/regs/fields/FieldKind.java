package dev.regshim.regs.fields;

/** What a bit range of a register is, as {@code arch/arm64/tools/sysreg} declares it. */
public enum FieldKind {
    /** A named field ({@code Field}, {@code Enum}, {@code UnsignedEnum}, {@code SignedEnum}). */
    FIELD,
    /** Reserved, reads as zero ({@code Res0}, and bits the layout does not mention). */
    RES0,
    /** Reserved, reads as one. */
    RES1,
    /** Read-as-zero ({@code Raz}). */
    RAZ,
    /** Unknown value ({@code Unkn}). */
    UNKNOWN;

    boolean reserved() {
        return this != FIELD;
    }
}
