package dev.regshim.regs.fields;

import dev.regshim.regs.RegId;

/** One field of an ID register, located by name in the bundled sysreg tables. */
public final class IdField {

    private final String register;
    private final RegId id;
    private final FieldDef def;

    IdField(String register, RegId id, FieldDef def) {
        this.register = register;
        this.id = id;
        this.def = def;
    }

    public String register() {
        return register;
    }

    /** The register's KVM ID. */
    public RegId id() {
        return id;
    }

    public String name() {
        return def.name();
    }

    /** The field's lowest bit. */
    public int lsb() {
        return def.lsb();
    }

    /** Whether the architecture defines the field as signed (0xf of a 4-bit field then means "not implemented"). */
    public boolean signed() {
        return def.signed();
    }

    /** The field's raw bits in a register value. */
    public long raw(long registerValue) {
        return def.extract(registerValue);
    }

    /** The field's value in a register value: raw bits, sign-extended for signed fields. */
    public long value(long registerValue) {
        return def.numeric(def.extract(registerValue));
    }

    /** {@code registerValue} with this field's bits taken from {@code other}, every other bit kept. */
    public long withFieldOf(long registerValue, long other) {
        return (registerValue & ~def.mask()) | (other & def.mask());
    }

    /** {@code ID_AA64MMFR3_EL1.TCRX}. */
    @Override
    public String toString() {
        return register + "." + def.name();
    }
}
