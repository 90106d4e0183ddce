package dev.regshim.kernel.capture;

import dev.regshim.kernel.KernelFeature;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegSet;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a real kernel's KVM answered for one vCPU feature set: either a refusal (the step that failed and its errno),
 * or the full {@code KVM_GET_REG_LIST} in the kernel's order with each register's value just after
 * {@code KVM_ARM_VCPU_INIT} (its reset value), plus the VM's writable ID-register masks.
 *
 * @param name      the set's name, its features joined with '+' ("pmu+sve+pauth"; "none" for no feature)
 * @param features  the vCPU features asked for (PMU, SVE, PAUTH, EL2, E2H0) and MTE for a VM with KVM_CAP_ARM_MTE
 * @param refusal   why KVM refused the set, or null when it was probed
 * @param target    KVM_ARM_PREFERRED_TARGET's answer (probed sets)
 * @param ids       the register IDs in the order KVM listed them
 * @param values    per register its value as lowercase hex digits of the register's full width, or null when
 *                  KVM_GET_ONE_REG failed (then {@code readErrno} holds the errno)
 * @param masks     KVM_ARM_GET_REG_WRITABLE_MASKS, non-zero entries by index of the feature-ID range
 */
public final class CapturedSet {

    /** The vCPU/VM features a set may ask for. */
    public static final Set<KernelFeature> VCPU_FEATURES = Collections.unmodifiableSet(EnumSet.of(KernelFeature.PMU,
            KernelFeature.SVE, KernelFeature.PAUTH, KernelFeature.EL2, KernelFeature.E2H0, KernelFeature.MTE));

    /** The step at which KVM refused a set, and its errno. */
    public record Refusal(String step, int errno) {
    }

    private final String name;
    private final Set<KernelFeature> features;
    private final Refusal refusal;
    private final int target;
    private final long[] ids;
    private final String[] values;
    private final int[] readErrno;
    private final SortedMap<Integer, Long> masks;
    /** {@link #ids} sorted, and for each the index into {@link #ids}: lookups are binary searches. */
    private final long[] sorted;
    private final int[] position;

    public CapturedSet(String name, Set<KernelFeature> features, Refusal refusal, int target, long[] ids,
                       String[] values, int[] readErrno, SortedMap<Integer, Long> masks) {
        if (!VCPU_FEATURES.containsAll(features)) {
            throw new IllegalArgumentException("not vCPU features: " + features);
        }
        if (ids.length != values.length || ids.length != readErrno.length) {
            throw new IllegalArgumentException("ids, values and errnos differ in length");
        }
        this.name = name;
        this.features = Collections.unmodifiableSet(features.isEmpty() ? EnumSet.noneOf(KernelFeature.class) : EnumSet.copyOf(features));
        this.refusal = refusal;
        this.target = target;
        this.ids = ids.clone();
        this.values = values.clone();
        this.readErrno = readErrno.clone();
        this.masks = Collections.unmodifiableSortedMap(new TreeMap<>(masks));
        Integer[] order = new Integer[ids.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compareUnsigned(ids[a], ids[b]));
        this.sorted = new long[ids.length];
        this.position = new int[ids.length];
        for (int i = 0; i < order.length; i++) {
            sorted[i] = ids[order[i]];
            position[i] = order[i];
        }
    }

    public String name() {
        return name;
    }

    public Set<KernelFeature> features() {
        return features;
    }

    /** Why KVM refused the set, or null when it was probed. */
    public Refusal refusal() {
        return refusal;
    }

    public int target() {
        return target;
    }

    /** The IDs in the order KVM listed them (a copy). */
    public long[] ids() {
        return ids.clone();
    }

    public long id(int i) {
        return ids[i];
    }

    /** The value of register {@code i} (list order) as hex digits, or null when it could not be read. */
    public String valueAt(int i) {
        return values[i];
    }

    public int readErrnoAt(int i) {
        return readErrno[i];
    }

    public SortedMap<Integer, Long> masks() {
        return masks;
    }

    /** A set KVM refused. */
    public static CapturedSet refused(String name, Set<KernelFeature> features, Refusal why) {
        return new CapturedSet(name, features, why, 0, new long[0], new String[0], new int[0], new TreeMap<>());
    }

    public boolean offered() {
        return refusal == null;
    }

    public int size() {
        return ids.length;
    }

    /** The listed IDs as a sorted set. */
    public RegSet regs() {
        return RegSet.of(ids);
    }

    /** What QEMU keeps in its cpreg list: the listed IDs but CORE and SVE. */
    public RegSet cpregs() {
        return regs().filter(id -> RegId.of(id).syncsViaCpregList());
    }

    private int indexOf(RegId id) {
        int lo = 0;
        int hi = sorted.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Long.compareUnsigned(sorted[mid], id.value());
            if (c == 0) {
                return position[mid];
            }
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return -1;
    }

    /** The value of a register of at most 64 bits, when it was listed and read. */
    public OptionalLong value(RegId id) {
        int i = indexOf(id);
        if (i < 0 || values[i] == null || values[i].length() > 16) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseUnsignedLong(values[i], 16));
    }

    /** The value of a listed register of any width, as hex digits. */
    public Optional<String> hexValue(RegId id) {
        int i = indexOf(id);
        return i < 0 ? Optional.empty() : Optional.ofNullable(values[i]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CapturedSet c && c.name.equals(name) && c.features.equals(features)
                && java.util.Objects.equals(c.refusal, refusal) && c.target == target && Arrays.equals(c.ids, ids)
                && Arrays.equals(c.values, values) && Arrays.equals(c.readErrno, readErrno) && c.masks.equals(masks);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(ids);
    }

    @Override
    public String toString() {
        return offered() ? name + " (" + ids.length + " registers)" : name + " (refused at " + refusal.step() + ")";
    }
}
