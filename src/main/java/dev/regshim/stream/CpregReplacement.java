package dev.regshim.stream;

import java.util.Objects;

/**
 * What a {@link StreamTransformer.CpuSectionHandler} wants done to one cpu section's cpreg arrays: keep them, or
 * replace them with these IDs (sorted ascending unsigned, unique) and values.
 */
public final class CpregReplacement {

    private static final CpregReplacement UNCHANGED = new CpregReplacement(null, null);

    private final long[] ids;
    private final long[] values;

    private CpregReplacement(long[] ids, long[] values) {
        this.ids = ids;
        this.values = values;
    }

    public static CpregReplacement unchanged() {
        return UNCHANGED;
    }

    /** Replace the arrays (copied). Validated when applied: equal lengths, sorted, unique. */
    public static CpregReplacement of(long[] ids, long[] values) {
        Objects.requireNonNull(ids, "ids");
        Objects.requireNonNull(values, "values");
        return new CpregReplacement(ids.clone(), values.clone());
    }

    public boolean isUnchanged() {
        return ids == null;
    }

    public long[] ids() {
        return ids == null ? null : ids.clone();
    }

    public long[] values() {
        return values == null ? null : values.clone();
    }
}
