package dev.regshim.stream;

import dev.regshim.regs.CpregArray;

import java.util.Objects;

/**
 * What a {@link StreamTransformer.CpuSectionHandler} wants done to one cpu section's cpreg arrays: keep them, or
 * replace them with this array (IDs sorted ascending unsigned, unique, every value known).
 */
public final class CpregReplacement {

    private static final CpregReplacement UNCHANGED = new CpregReplacement(null);

    private final CpregArray cpregs;

    private CpregReplacement(CpregArray cpregs) {
        this.cpregs = cpregs;
    }

    public static CpregReplacement unchanged() {
        return UNCHANGED;
    }

    /** Replace the arrays (copied). Validated when applied: equal lengths, sorted, unique. */
    public static CpregReplacement of(long[] ids, long[] values) {
        Objects.requireNonNull(ids, "ids");
        Objects.requireNonNull(values, "values");
        return new CpregReplacement(CpregArray.of(ids, values));
    }

    /** Replace the arrays with this (immutable) array, as it is. Validated when applied. */
    public static CpregReplacement of(CpregArray cpregs) {
        Objects.requireNonNull(cpregs, "cpregs");
        if (!cpregs.hasValues()) {
            throw new IllegalArgumentException("a replacement needs every value");
        }
        return new CpregReplacement(cpregs);
    }

    public boolean isUnchanged() {
        return cpregs == null;
    }

    /** The new array; null when unchanged. */
    public CpregArray cpregs() {
        return cpregs;
    }

    public long[] ids() {
        return cpregs == null ? null : cpregs.ids();
    }

    public long[] values() {
        return cpregs == null ? null : cpregs.values();
    }
}
