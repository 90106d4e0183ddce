package dev.regshim.regs;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.LongPredicate;
import java.util.stream.LongStream;

/**
 * An immutable set of register IDs kept sorted in QEMU's order (unsigned) and unique, as a {@code long[]} so that
 * fleets of thousands of hosts stay cheap. Set algebra runs as linear merges.
 */
public final class RegSet implements Iterable<RegId> {

    private static final RegSet EMPTY = new RegSet(new long[0]);

    private final long[] ids;

    private RegSet(long[] sortedUnique) {
        this.ids = sortedUnique;
    }

    public static RegSet empty() {
        return EMPTY;
    }

    /** From IDs in any order, duplicates allowed. */
    public static RegSet of(long... ids) {
        long[] copy = ids.clone();
        sortUnsigned(copy);
        return new RegSet(dedupSorted(copy));
    }

    public static RegSet of(Collection<RegId> ids) {
        long[] a = new long[ids.size()];
        int i = 0;
        for (RegId r : ids) {
            a[i++] = r.value();
        }
        sortUnsigned(a);
        return new RegSet(dedupSorted(a));
    }

    public static RegSet ofIds(RegId... ids) {
        return of(Arrays.asList(ids));
    }

    private static void sortUnsigned(long[] a) {
        // flip the sign bit so signed sort gives unsigned order
        for (int i = 0; i < a.length; i++) {
            a[i] ^= Long.MIN_VALUE;
        }
        Arrays.sort(a);
        for (int i = 0; i < a.length; i++) {
            a[i] ^= Long.MIN_VALUE;
        }
    }

    private static long[] dedupSorted(long[] a) {
        if (a.length < 2) {
            return a;
        }
        int n = 1;
        for (int i = 1; i < a.length; i++) {
            if (a[i] != a[n - 1]) {
                a[n++] = a[i];
            }
        }
        return n == a.length ? a : Arrays.copyOf(a, n);
    }

    public int size() {
        return ids.length;
    }

    public boolean isEmpty() {
        return ids.length == 0;
    }

    public boolean contains(RegId id) {
        return contains(id.value());
    }

    public boolean contains(long id) {
        int lo = 0, hi = ids.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Long.compareUnsigned(ids[mid], id);
            if (c == 0) {
                return true;
            }
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return false;
    }

    public RegId get(int i) {
        return RegId.of(ids[i]);
    }

    /** A copy of the IDs, sorted unsigned. */
    public long[] toArray() {
        return ids.clone();
    }

    public LongStream longs() {
        return Arrays.stream(ids);
    }

    public List<RegId> asList() {
        return new AbstractList<>() {
            @Override
            public RegId get(int index) {
                return RegId.of(ids[index]);
            }

            @Override
            public int size() {
                return ids.length;
            }
        };
    }

    public RegSet union(RegSet o) {
        long[] out = new long[ids.length + o.ids.length];
        int i = 0, j = 0, n = 0;
        while (i < ids.length || j < o.ids.length) {
            if (j >= o.ids.length) {
                out[n++] = ids[i++];
            } else if (i >= ids.length) {
                out[n++] = o.ids[j++];
            } else {
                int c = Long.compareUnsigned(ids[i], o.ids[j]);
                if (c == 0) {
                    out[n++] = ids[i++];
                    j++;
                } else if (c < 0) {
                    out[n++] = ids[i++];
                } else {
                    out[n++] = o.ids[j++];
                }
            }
        }
        return new RegSet(Arrays.copyOf(out, n));
    }

    public RegSet intersect(RegSet o) {
        long[] out = new long[Math.min(ids.length, o.ids.length)];
        int i = 0, j = 0, n = 0;
        while (i < ids.length && j < o.ids.length) {
            int c = Long.compareUnsigned(ids[i], o.ids[j]);
            if (c == 0) {
                out[n++] = ids[i++];
                j++;
            } else if (c < 0) {
                i++;
            } else {
                j++;
            }
        }
        return new RegSet(Arrays.copyOf(out, n));
    }

    /** This set without the IDs in {@code o}. */
    public RegSet minus(RegSet o) {
        long[] out = new long[ids.length];
        int i = 0, j = 0, n = 0;
        while (i < ids.length) {
            if (j >= o.ids.length) {
                out[n++] = ids[i++];
                continue;
            }
            int c = Long.compareUnsigned(ids[i], o.ids[j]);
            if (c == 0) {
                i++;
                j++;
            } else if (c < 0) {
                out[n++] = ids[i++];
            } else {
                j++;
            }
        }
        return new RegSet(Arrays.copyOf(out, n));
    }

    public RegSet filter(LongPredicate keep) {
        return new RegSet(Arrays.stream(ids).filter(keep).toArray());
    }

    public boolean containsAll(RegSet o) {
        return o.minus(this).isEmpty();
    }

    /** Registers only here, only in {@code other}, and in both. */
    public RegSetDiff diff(RegSet other) {
        return new RegSetDiff(this.minus(other), other.minus(this), this.intersect(other));
    }

    @Override
    public Iterator<RegId> iterator() {
        return new Iterator<>() {
            private int i;

            @Override
            public boolean hasNext() {
                return i < ids.length;
            }

            @Override
            public RegId next() {
                if (i >= ids.length) {
                    throw new NoSuchElementException();
                }
                return RegId.of(ids[i++]);
            }
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RegSet && Arrays.equals(ids, ((RegSet) o).ids);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ids);
    }

    @Override
    public String toString() {
        return "RegSet" + asList();
    }
}
