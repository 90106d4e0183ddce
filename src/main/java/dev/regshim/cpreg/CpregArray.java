package dev.regshim.cpreg;

import dev.regshim.regs.RegId;
import dev.regshim.regs.RegSet;

import java.util.Arrays;
import java.util.OptionalLong;

/**
 * One vCPU's cpreg array as QEMU holds or sends it: IDs in the given order (QEMU sorts them, a stream may not) and,
 * when known, their values. A kernel or list profile knows only the IDs.
 */
public final class CpregArray {

    private final long[] ids;
    private final long[] values;

    private CpregArray(long[] ids, long[] values) {
        if (values != null && values.length != ids.length) {
            throw new IllegalArgumentException("ids and values differ in length: " + ids.length + " vs " + values.length);
        }
        this.ids = ids;
        this.values = values;
    }

    public static CpregArray of(long[] ids, long[] values) {
        return new CpregArray(ids.clone(), values == null ? null : values.clone());
    }

    /** IDs only; values unknown. */
    public static CpregArray idsOnly(RegSet set) {
        return new CpregArray(set.toArray(), null);
    }

    public int length() {
        return ids.length;
    }

    public long id(int i) {
        return ids[i];
    }

    public boolean hasValues() {
        return values != null;
    }

    public long value(int i) {
        if (values == null) {
            throw new IllegalStateException("values are not known");
        }
        return values[i];
    }

    public long[] ids() {
        return ids.clone();
    }

    public long[] values() {
        return values == null ? null : values.clone();
    }

    public RegSet idSet() {
        return RegSet.of(ids);
    }

    /** Index of the ID, by linear search (the array may be unsorted when it comes from a hostile stream). */
    public int indexOf(long id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        return -1;
    }

    public OptionalLong valueOf(RegId id) {
        if (values == null) {
            return OptionalLong.empty();
        }
        int i = indexOf(id.value());
        return i < 0 ? OptionalLong.empty() : OptionalLong.of(values[i]);
    }

    /** Whether the IDs are strictly ascending (unsigned), as QEMU's lists are. */
    public boolean isSortedUnique() {
        for (int i = 1; i < ids.length; i++) {
            if (Long.compareUnsigned(ids[i - 1], ids[i]) >= 0) {
                return false;
            }
        }
        return true;
    }

    /** A copy without the registers in {@code drop}. */
    public CpregArray without(RegSet drop) {
        int n = 0;
        long[] ni = new long[ids.length];
        long[] nv = values == null ? null : new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (!drop.contains(ids[i])) {
                ni[n] = ids[i];
                if (nv != null) {
                    nv[n] = values[i];
                }
                n++;
            }
        }
        return new CpregArray(Arrays.copyOf(ni, n), nv == null ? null : Arrays.copyOf(nv, n));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpregArray && Arrays.equals(ids, ((CpregArray) o).ids)
                && Arrays.equals(values, ((CpregArray) o).values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ids) + Arrays.hashCode(values);
    }
}
