package dev.regshim.regs.fields;

/**
 * One field whose value differs between a source and a destination register value, with the verdict for a guest
 * that already read the source value.
 *
 * @param oldName the enum name of the source value, or null
 * @param newName the enum name of the destination value, or null
 * @param effect  what the change means for the guest: a feature added, removed, or some other change
 * @param reason  one line: why the change is (un)safe
 */
public record FieldChange(String field, int msb, int lsb, long oldValue, long newValue, String oldName, String newName,
                          SafetyRule rule, boolean safeForMigration, Effect effect, String reason) {

    /** The direction of a change as the guest sees it. */
    public enum Effect {
        /** The destination offers a feature (level) the source did not. */
        ADDED,
        /** The destination lacks a feature (level) the source offered. */
        REMOVED,
        /** Any other change (sizes, hazards, exact values, reserved bits). */
        CHANGED
    }

    /** {@code APA 1→0}. */
    public String shortText() {
        return field + " " + FieldDiff.number(oldValue) + "\u2192" + FieldDiff.number(newValue);
    }

    public String bits() {
        return msb == lsb ? Integer.toString(msb) : msb + ":" + lsb;
    }
}
