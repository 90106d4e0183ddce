package dev.regshim.kernel;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A Linux kernel release whose arm64 {@code KVM_GET_REG_LIST} regshim can compute.
 *
 * <p>Most versions were read from a kernel tree (the bundled {@code sys_reg_descs-v*.tsv} tables). v6.15 and v6.16
 * were not: they are <em>inferred</em> from the v6.14 and v6.17 trees plus upstream release evidence (see
 * {@link #INFERENCES}), and every place that shows them says so.
 */
public final class KernelVersion implements Comparable<KernelVersion> {

    /** What the inferred versions are built from, one statement per inference. */
    public static final List<String> INFERENCES = List.of(
            "6.15 and 6.16 were not read from a kernel tree; they use the v6.14 sys_reg_descs table, the last one read before them",
            "KVM_REG_ARM_VENDOR_HYP_BMAP_2 is listed from 6.15 (commit c0000e58c74e is in the 'KVM/arm64 updates for 6.15' merge; "
                    + "QEMU mails say 6.16)",
            "MIDR_EL1/REVIDR_EL1/AIDR_EL1 become writable sys_regs in 6.15 (same IDs, so the list does not change)",
            "SCTLR2_EL1 (sctlr2_visibility) first released in 6.15, 6.16 or 6.17 - unknown; assumed absent before 6.17",
            "EL2 (nested virt) lists of 6.15/6.16 are v6.14's; the FGT/VNCR/GIC changes seen in v6.17 are not placed there",
            "KVM_ARM_VCPU_HAS_EL2_E2H0 exists from 6.15 (commit f83c41fb3ddd, listed after v6.15-rc1)");

    private static final Pattern SYNTAX = Pattern.compile("(?i)v?(\\d{1,2})\\.(\\d{1,3})(?:\\.\\d{1,4})?");

    private static final List<KernelVersion> KNOWN = List.of(
            read(6, 1, "6.1", "6.1.0-rc7 tree (tianrenz2/linux-6.1.0)"),
            read(6, 6, "6.6", "6.6.0 tree"),
            read(6, 8, "6.8", "6.8.0 tree"),
            read(6, 10, "6.10", "6.10.0 tree"),
            read(6, 12, "6.12", "6.12.0 tree"),
            read(6, 13, "6.13", "6.13.7 stable tree"),
            read(6, 14, "6.14", "6.14.0 tree"),
            new KernelVersion(6, 15, true, "6.14", "v6.14 tables + release evidence"),
            new KernelVersion(6, 16, true, "6.14", "v6.14 tables + release evidence"),
            read(6, 17, "6.17", "6.17.0 tree"),
            read(6, 18, "6.18", "6.18.2 stable tree"));

    private final int major;
    private final int minor;
    private final boolean inferred;
    private final String tableVersion;
    private final String source;

    private KernelVersion(int major, int minor, boolean inferred, String tableVersion, String source) {
        this.major = major;
        this.minor = minor;
        this.inferred = inferred;
        this.tableVersion = tableVersion;
        this.source = source;
    }

    private static KernelVersion read(int major, int minor, String table, String source) {
        return new KernelVersion(major, minor, false, table, source);
    }

    /** Every version regshim knows, oldest first (inferred ones included). */
    public static List<KernelVersion> known() {
        return KNOWN;
    }

    /**
     * {@code 6.13}, {@code v6.13} or {@code 6.13.7} (a patch level is accepted and ignored: the model is per release
     * series, and stable backports are not modelled).
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

    /** True for versions not read from a kernel tree (6.15, 6.16). */
    public boolean inferred() {
        return inferred;
    }

    /** The bundled {@code sys_reg_descs-v<table>.tsv} this version is computed from. */
    public String tableVersion() {
        return tableVersion;
    }

    /** Where the data for this version comes from. */
    public String source() {
        return source;
    }

    /** The closest version read from a kernel tree at or below this one. */
    KernelVersion previousRead() {
        KernelVersion best = null;
        for (KernelVersion v : KNOWN) {
            if (!v.inferred && v.compareTo(this) <= 0) {
                best = v;
            }
        }
        return best;
    }

    /** The closest version read from a kernel tree at or above this one. */
    KernelVersion nextRead() {
        for (KernelVersion v : KNOWN) {
            if (!v.inferred && v.compareTo(this) >= 0) {
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
        return inferred ? this + " (inferred)" : toString();
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
