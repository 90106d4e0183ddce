package dev.regshim.cpreg;

import dev.regshim.RegshimException;
import dev.regshim.release.QemuVersion;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Which QEMU's cpreg load regshim models. */
public enum Semantics {
    /**
     * Upstream QEMU 7.2 to 11.0: {@code VMSTATE_INT32_POSITIVE_LE} length check against the local list length, the
     * merge walk that fails on an unknown incoming register (but silently ignores unknown ones sorting after the last
     * local register), registers missing from the stream keep their value.
     */
    QEMU_STOCK("qemu-stock", "QEMU 7.2-11.0"),
    /**
     * The hidden/fake-register series as first posted (Oct 2025): KVM-only CPU properties {@code kvm-hidden-regs}
     * and {@code kvm-enforced-regs}, a 10-entry anomaly slack, traces naming every missing and unexpected register.
     */
    SERIES_V1("series-v1", "QEMU + cpreg series v1 (kvm-hidden-regs / kvm-enforced-regs)"),
    /** The series from v2 on: {@code x-mig-hidden-regs} and {@code x-mig-safe-missing-regs} on every ARM CPU, TCG included. */
    SERIES_V2("series-v2", "QEMU + cpreg series v2-v6 (x-mig-hidden-regs / x-mig-safe-missing-regs)"),
    /**
     * What upstream merged for 11.1: hard-coded tolerances (TCR2_EL1, PIRE0_EL1, PIR_EL1 may be on one end only;
     * KVM_REG_ARM_VENDOR_HYP_BMAP_2 only while 0), no length check, unknown tail registers detected, missing registers
     * only warned about.
     */
    QEMU_11_1("qemu-11.1", "QEMU 11.1 (cpreg migration tolerances)");

    private final String label;
    private final String description;

    Semantics(String label, String description) {
        this.label = label;
        this.description = description;
    }

    public String label() {
        return label;
    }

    public String description() {
        return description;
    }

    /** Whether this QEMU has the hidden / fake (safe-missing) CPU properties at all. */
    public boolean hasCompatProperties() {
        return this == SERIES_V1 || this == SERIES_V2;
    }

    public String hiddenProperty() {
        return this == SERIES_V1 ? "kvm-hidden-regs" : this == SERIES_V2 ? "x-mig-hidden-regs" : null;
    }

    public String fakeProperty() {
        return this == SERIES_V1 ? "kvm-enforced-regs" : this == SERIES_V2 ? "x-mig-safe-missing-regs" : null;
    }

    /** The option value that picks the semantics from the destination's QEMU version ({@link #forQemu}). */
    public static final String AUTO = "auto";

    /**
     * What a destination of this QEMU version runs: 11.1 and later tolerate, older releases are stock. The version
     * may be exact ({@code 11.1.3}) or a lower bound read from a stream ({@code >=11.1}); stock when unknown.
     */
    public static Semantics forQemu(String version) {
        return QemuVersion.ofRecorded(version).filter(v -> v.atLeast(11, 1)).isPresent() ? QEMU_11_1 : QEMU_STOCK;
    }

    /** Why {@value #AUTO} picked what it picked, for the report's model line. */
    public static String autoReason(String destinationQemu) {
        if (QemuVersion.ofRecorded(destinationQemu).isEmpty()) {
            return "auto: the destination's QEMU version is unknown; --semantics qemu-11.1 if it runs 11.1 or later";
        }
        boolean lowerBound = destinationQemu.startsWith(">=");
        String v = "auto: destination QEMU " + destinationQemu;
        return forQemu(destinationQemu) == QEMU_STOCK && lowerBound
                ? v + " (read from a stream); --semantics qemu-11.1 if it runs 11.1 or later" : v;
    }

    /** {@link #parse} or, for {@value #AUTO}, {@link #forQemu} of the destination's version. */
    public static Semantics resolve(String option, String destinationQemu) {
        return AUTO.equalsIgnoreCase(option.trim()) ? forQemu(destinationQemu) : parse(option);
    }

    public static Semantics parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        for (Semantics v : values()) {
            if (v.label.equals(t) || v.name().toLowerCase(Locale.ROOT).equals(t.replace('-', '_').replace('.', '_'))) {
                return v;
            }
        }
        switch (t) {
            case "stock":
            case "upstream":
                return QEMU_STOCK;
            case "v1":
                return SERIES_V1;
            case "v2":
                return SERIES_V2;
            case "11.1":
            case "tolerances":
                return QEMU_11_1;
            default:
                throw new RegshimException("unknown semantics '" + s + "'; choose one of "
                        + Arrays.stream(values()).map(Semantics::label).collect(Collectors.joining(", ")));
        }
    }
}
