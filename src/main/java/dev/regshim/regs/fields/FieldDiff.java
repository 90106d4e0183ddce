package dev.regshim.regs.fields;

import dev.regshim.regs.RegId;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The field-by-field difference between two values of one register, ordered from the lowest bit up.
 *
 * @param register the layout the values were decoded with ({@code ID_AA64ISAR1_EL1}), or the register's name
 *                 when no layout is known
 */
public record FieldDiff(RegId id, String register, long source, long destination, List<FieldChange> changes) {

    /** The overall migration verdict. */
    public enum Verdict {
        IDENTICAL,
        /** Every change leaves the destination at least as capable as what the guest saw. */
        SAFE,
        /** At least one change can break a guest that saw the source value. */
        UNSAFE
    }

    public FieldDiff {
        changes = List.copyOf(changes);
    }

    public boolean identical() {
        return changes.isEmpty();
    }

    public Verdict verdict() {
        if (changes.isEmpty()) {
            return Verdict.IDENTICAL;
        }
        return changes.stream().allMatch(FieldChange::safeForMigration) ? Verdict.SAFE : Verdict.UNSAFE;
    }

    public List<FieldChange> unsafeChanges() {
        return changes.stream().filter(c -> !c.safeForMigration()).collect(Collectors.toList());
    }

    /** One line, e.g. {@code APA 1→0, GPA 1→0: features removed}. */
    public String summary() {
        if (changes.isEmpty()) {
            return "identical";
        }
        String list = changes.stream().map(FieldChange::shortText).collect(Collectors.joining(", "));
        return list + ": " + effectPhrase();
    }

    private String effectPhrase() {
        boolean added = changes.stream().anyMatch(c -> c.effect() == FieldChange.Effect.ADDED);
        boolean removed = changes.stream().anyMatch(c -> c.effect() == FieldChange.Effect.REMOVED);
        boolean other = changes.stream().anyMatch(c -> c.effect() == FieldChange.Effect.CHANGED);
        if (other) {
            return "fields changed";
        }
        if (added && removed) {
            return "features added and removed";
        }
        return added ? "features added" : "features removed";
    }

    /** Field values the way people write them: decimal up to 9, hex above. */
    static String number(long v) {
        return v >= 0 && v <= 9 ? Long.toString(v) : "0x" + Long.toHexString(v);
    }
}
