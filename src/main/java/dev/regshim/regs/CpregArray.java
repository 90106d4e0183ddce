package dev.regshim.regs;

import java.util.Arrays;
import java.util.OptionalLong;

/**
 * One vCPU's cpreg array as QEMU holds or sends it, the one register type from the stream's cpu section through the
 * profiles, the model and the policy to the replacement written back: IDs in the given order (QEMU sorts them
 * ascending unsigned; a profile file may not) and, when known, their values. A kernel or list profile knows only the
 * IDs. Immutable and never copied on the way: lookups are binary searches when the IDs are sorted (as every stream's
 * are), linear only for an unsorted array.
 */
public final class CpregArray {

    private final long[] ids;
    private final long[] values;
    private final boolean sortedUnique;

    private CpregArray(long[] ids, long[] values) {
        if (values != null && values.length != ids.length) {
            throw new IllegalArgumentException("ids and values differ in length: " + ids.length + " vs " + values.length);
        }
        this.ids = ids;
        this.values = values;
        this.sortedUnique = sortedUnique(ids);
    }

    private static boolean sortedUnique(long[] ids) {
        for (int i = 1; i < ids.length; i++) {
            if (Long.compareUnsigned(ids[i - 1], ids[i]) >= 0) {
                return false;
            }
        }
        return true;
    }

    /** The arrays copied: the caller may keep changing its own. */
    public static CpregArray of(long[] ids, long[] values) {
        return new CpregArray(ids.clone(), values == null ? null : values.clone());
    }

    /**
     * The arrays themselves, without a copy: for a caller that has just built them and hands them over (it must not
     * change them afterwards).
     */
    public static CpregArray adopt(long[] ids, long[] values) {
        return new CpregArray(ids, values);
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

    /** Index of the ID, or -1: a binary search, or a linear one when the array is not sorted. */
    public int indexOf(long id) {
        if (sortedUnique) {
            int lo = 0;
            int hi = ids.length - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int c = Long.compareUnsigned(ids[mid], id);
                if (c == 0) {
                    return mid;
                }
                if (c < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return -1;
        }
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

    /** Whether the array holds the register. */
    public boolean contains(RegId id) {
        return indexOf(id.value()) >= 0;
    }

    /** Whether the IDs are strictly ascending (unsigned), as QEMU's lists are. */
    public boolean isSortedUnique() {
        return sortedUnique;
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
