package dev.regshim.kernel;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A Linux kernel release series whose arm64 {@code KVM_GET_REG_LIST} regshim can compute, and where its table comes
 * from ({@link Source}):
 * <ul>
 *   <li>{@link Source#TREE}: the bundled {@code sys_reg_descs-v*.tsv} read from that kernel's tree;</li>
 *   <li>{@link Source#DERIVED}: a tree's table plus the rows of {@code sys_reg_descs-deltas.tsv} for the versions in
 *       {@link #deltas()}, every one of them observed on real kernels ({@code regshim kernel capture});</li>
 *   <li>{@link Source#INFERRED}: 6.15, which Debian never packaged for arm64 and no tree was read for: the v6.14
 *       table plus release evidence (see {@link #INFERENCES}); every place that shows it says so.</li>
 * </ul>
 * Which versions were also <em>observed</em> (captured on real kernels) is the evidence's business
 * ({@code kernel.capture.Evidence}), not this class's.
 */
public final class KernelVersion implements Comparable<KernelVersion> {

    /** Where a version's table comes from. */
    public enum Source {
        TREE("read"), DERIVED("derived"), INFERRED("INFERRED");

        private final String label;

        Source(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** What the inferred version is built from, one statement per inference. */
    public static final List<String> INFERENCES = List.of(
            "6.15 was neither read from a kernel tree nor packaged by Debian for arm64; it uses the v6.14 sys_reg_descs "
                    + "table, the last one read before it",
            "KVM_REG_ARM_VENDOR_HYP_BMAP_2 is listed from 6.15 (commit c0000e58c74e is in the 'KVM/arm64 updates for 6.15' "
                    + "merge; QEMU mails say 6.16, and a real 6.16.12 lists it)",
            "MIDR_EL1/REVIDR_EL1/AIDR_EL1 become writable sys_regs in 6.15 (same IDs, so the list does not change)",
            "SCTLR2_EL1 (sctlr2_visibility) is absent from 6.15: a real 6.16.12 does not list it on a FEAT_SCTLR2 host, "
                    + "6.17 does",
            "EL2 (nested virt) lists of 6.15 are v6.14's; the GICv3 EL2 registers and VNCR_EL2 that a real 6.16 lists "
                    + "are not placed there",
            "KVM_ARM_VCPU_HAS_EL2_E2H0 exists from 6.15 (commit f83c41fb3ddd, listed after v6.15-rc1)");

    private static final Pattern SYNTAX = Pattern.compile("(?i)v?(\\d{1,2})\\.(\\d{1,3})(?:\\.\\d{1,4})?");

    private static final List<KernelVersion> KNOWN = List.of(
            tree(6, 1, "6.1.0-rc7 tree (tianrenz2/linux-6.1.0)"),
            tree(6, 6, "6.6.0 tree"),
            tree(6, 8, "6.8.0 tree"),
            tree(6, 10, "6.10.0 tree"),
            tree(6, 12, "6.12.0 tree"),
            tree(6, 13, "6.13.7 stable tree"),
            tree(6, 14, "6.14.0 tree"),
            new KernelVersion(6, 15, Source.INFERRED, "6.14", List.of(), "v6.14 tables + release evidence"),
            derived(6, 16, "6.14", List.of("6.16"), "v6.14 table + the GICv3 EL2 registers and VNCR_EL2 seen on 6.16.12"),
            tree(6, 17, "6.17.0 tree"),
            tree(6, 18, "6.18.2 stable tree"),
            derived(6, 19, "6.18", List.of(), "v6.18 table, unchanged on real 6.19 kernels"),
            derived(7, 0, "6.18", List.of(), "v6.18 table, unchanged on real 7.0 kernels"),
            derived(7, 1, "6.18", List.of(), "v6.18 table, unchanged on real 7.1 kernels"),
            derived(7, 2, "6.18", List.of(), "v6.18 table, unchanged on real 7.2 kernels"),
            derived(7, 3, "6.18", List.of("7.3"), "v6.18 table + PMMIR_EL1 (pmu) seen on 7.3.4"));

    private final int major;
    private final int minor;
    private final Source kind;
    private final String tableVersion;
    private final List<String> deltas;
    private final String source;

    private KernelVersion(int major, int minor, Source kind, String tableVersion, List<String> deltas, String source) {
        this.major = major;
        this.minor = minor;
        this.kind = kind;
        this.tableVersion = tableVersion;
        this.deltas = List.copyOf(deltas);
        this.source = source;
    }

    private static KernelVersion tree(int major, int minor, String source) {
        return new KernelVersion(major, minor, Source.TREE, major + "." + minor, List.of(), source);
    }

    private static KernelVersion derived(int major, int minor, String base, List<String> deltas, String source) {
        return new KernelVersion(major, minor, Source.DERIVED, base, deltas, source);
    }

    /** Every version regshim knows, oldest first (inferred ones included). */
    public static List<KernelVersion> known() {
        return KNOWN;
    }

    /**
     * {@code 6.13}, {@code v6.13} or {@code 6.13.7} (the series; a point release that changes the list is a
     * {@link KernelHost}'s business).
     */
    public static KernelVersion parse(String text) {
        String s = text == null ? "" : text.strip();
        Matcher m = SYNTAX.matcher(s);
        if (!m.matches()) {
            throw new KernelSpecException("bad kernel version '" + s + "' (expected e.g. 6.13 or v6.13); known: " + knownList());
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        return find(major, minor).orElseThrow(() -> new KernelSpecException(
                "unknown kernel version '" + s + "'; known: " + knownList()));
    }

    public static Optional<KernelVersion> find(int major, int minor) {
        return KNOWN.stream().filter(v -> v.major == major && v.minor == minor).findFirst();
    }

    static String knownList() {
        return KNOWN.stream().map(KernelVersion::label).collect(Collectors.joining(", "));
    }

    public int major() {
        return major;
    }

    public int minor() {
        return minor;
    }

    /** True for the version neither read from a tree nor observed (6.15). */
    public boolean inferred() {
        return kind == Source.INFERRED;
    }

    /** Where this version's table comes from. */
    public Source kind() {
        return kind;
    }

    /** The bundled {@code sys_reg_descs-v<table>.tsv} this version is computed from (its base, when derived). */
    public String tableVersion() {
        return tableVersion;
    }

    /** The {@code delta} keys of {@code sys_reg_descs-deltas.tsv} applied on top of the base table. */
    public List<String> deltas() {
        return deltas;
    }

    /** For a derived version, the tree version its table is based on; for others, itself. */
    KernelVersion base() {
        return kind == Source.DERIVED ? parse(tableVersion) : this;
    }

    /** Where the data for this version comes from. */
    public String source() {
        return source;
    }

    /** The closest version read from a kernel tree at or below this one. */
    KernelVersion previousRead() {
        KernelVersion best = null;
        for (KernelVersion v : KNOWN) {
            if (v.kind == Source.TREE && v.compareTo(this) <= 0) {
                best = v;
            }
        }
        return best;
    }

    /** The closest version read from a kernel tree at or above this one. */
    KernelVersion nextRead() {
        for (KernelVersion v : KNOWN) {
            if (v.kind == Source.TREE && v.compareTo(this) >= 0) {
                return v;
            }
        }
        return null;
    }

    public boolean atLeast(int major, int minor) {
        return this.major > major || (this.major == major && this.minor >= minor);
    }

    /** {@code 6.13}, or {@code 6.15 (inferred)}. */
    public String label() {
        return inferred() ? this + " (inferred)" : toString();
    }

    @Override
    public int compareTo(KernelVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KernelVersion && ((KernelVersion) o).major == major && ((KernelVersion) o).minor == minor;
    }

    @Override
    public int hashCode() {
        return major * 1000 + minor;
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
