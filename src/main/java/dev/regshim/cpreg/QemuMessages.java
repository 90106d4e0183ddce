package dev.regshim.cpreg;

import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;

import java.util.List;

/**
 * The exact texts QEMU prints (each prefixed with {@code qemu-system-aarch64: } on stderr) and the series' trace
 * formats. Stock texts were observed on QEMU 7.2.22 and 10.0.13, the 11.1 texts on QEMU 11.1.3; the series' texts
 * are taken from the posted patches.
 * <p>
 * How a failed load ends differs by release ({@link Dialect}): up to 10.0 each layer prints its own line and the
 * last one names the errno; 11.1 propagates one error object and prints it as a single chained line.
 */
public final class QemuMessages {

    /** How a release reports a failed incoming migration. */
    public enum Dialect {
        /** QEMU 7.2-10.0 (and the series on top of them): one line per layer, then {@code load of migration failed: E}. */
        SEPARATE_LINES,
        /** QEMU 11.1: {@code load of migration failed: Invalid argument: <cause>: <cause>} on one line. */
        CHAINED;

        public static Dialect of(Semantics s) {
            return s == Semantics.QEMU_11_1 ? CHAINED : SEPARATE_LINES;
        }
    }

    /** The RAM section's version ({@code ram}, v4 in every release modelled); QEMU 11.1 names it when RAM fails. */
    public static final int RAM_SECTION_VERSION = 4;
    /** The ARM cpu vmsd's version and minimum version, named by QEMU 11.1 when its post_load fails. */
    public static final int CPU_VMSD_VERSION = 22;
    /** EINVAL as QEMU 11.1 prints a failed RAM block load's return value. */
    private static final int MINUS_EINVAL = -22;
    /** What the ARM cpu post_load returns on a failed register merge or write-back. */
    private static final int CPU_POST_LOAD_FAILURE = -1;

    public static final String PROGRAM_PREFIX = "qemu-system-aarch64: ";
    public static final String EINVAL = "Invalid argument";
    public static final String EPERM = "Operation not permitted";
    /** What 7.2 and 10.0 end with when a stream carries a subsection they do not know. */
    public static final String ENOENT = "No such file or directory";

    private QemuMessages() {
    }

    public static String invalidLength(long n, long max) {
        return "Invalid value " + n + " expecting positive value <= " + max;
    }

    public static String failedToLoadLength() {
        return "Failed to load cpu:cpreg_vmstate_array_len";
    }

    public static String errorLoadingDevice(int instance, String idstr) {
        return String.format("error while loading state for instance 0x%x of device '%s'", instance, idstr);
    }

    public static String loadFailed(String strerror) {
        return "load of migration failed: " + strerror;
    }

    public static String machineMismatch(String received, String local) {
        return "Machine type received is '" + received + "' and local is '" + local + "'";
    }

    public static String unknownRamBlock(String name) {
        return "Unknown ramblock \"" + name + "\", cannot accept migration";
    }

    /** A RAM block that cannot be resized (guest RAM, flash) arrives with another length: incoming, then local. */
    public static String ramSizeMismatch(String name, long in, long local) {
        return String.format("Size mismatch: %s: 0x%x != 0x%x: %s", name, in, local, EINVAL);
    }

    public static String unknownSection(String idstr, int instance) {
        return "Unknown savevm section or instance '" + idstr + "' " + instance
                + ". Make sure that your current VM setup matches your saved VM setup, including any hotplugged devices";
    }

    public static String missingFooter(String idstr) {
        return "Missing section footer for " + idstr;
    }

    public static String unsupportedVersion(int version, String idstr, int localVersion) {
        return "savevm: unsupported version " + version + " for '" + idstr + "' v" + localVersion;
    }

    /** QEMU 11.1's single closing line: the errno and the chain of causes. */
    public static String chained(String cause) {
        return loadFailed(EINVAL) + ": " + cause;
    }

    /** The lines that end a failed cpu post_load (register merge, read-back or KVM write-back). */
    public static List<String> cpuPostLoadFailed(Dialect d, int instance, String strerror) {
        if (d == Dialect.CHAINED) {
            return List.of(chained(errorLoadingDevice(instance, "cpu") + ": post load hook failed for: cpu, "
                    + "version_id: " + CPU_VMSD_VERSION + ", minimum_version: " + CPU_VMSD_VERSION + ", ret: "
                    + CPU_POST_LOAD_FAILURE));
        }
        return List.of(errorLoadingDevice(instance, "cpu"), loadFailed(strerror));
    }

    public static List<String> machineMismatchLines(Dialect d, String received, String local) {
        if (d == Dialect.CHAINED) {
            return List.of(chained("post load hook failed for: configuration, version_id: 1, minimum_version: 0: "
                    + machineMismatch(received, local)));
        }
        return List.of(machineMismatch(received, local), loadFailed(EINVAL));
    }

    public static List<String> unknownRamBlockLines(Dialect d, String name) {
        if (d == Dialect.CHAINED) {
            return List.of(unknownRamBlock(name), ramFailedChained());
        }
        return List.of(unknownRamBlock(name), errorLoadingDevice(0, "ram"), loadFailed(EINVAL));
    }

    public static List<String> ramSizeMismatchLines(Dialect d, String name, long in, long local) {
        if (d == Dialect.CHAINED) {
            return List.of(ramSizeMismatch(name, in, local), ramFailedChained());
        }
        return List.of(ramSizeMismatch(name, in, local), errorLoadingDevice(0, "ram"), loadFailed(EINVAL));
    }

    private static String ramFailedChained() {
        return chained(errorLoadingDevice(0, "ram") + ": Failed to load vmstate version_id: " + RAM_SECTION_VERSION
                + ", ret: " + MINUS_EINVAL);
    }

    public static List<String> unknownSectionLines(Dialect d, String idstr, int instance) {
        if (d == Dialect.CHAINED) {
            return List.of(chained("Unknown section or instance '" + idstr + "' " + instance
                    + ". Make sure that your current VM setup matches your saved VM setup, including any hotplugged devices"));
        }
        return List.of(unknownSection(idstr, instance), loadFailed(EINVAL));
    }

    /** A newer section version than the destination's (11.1's chained form not observed: taken from its format string). */
    public static List<String> unsupportedVersionLines(Dialect d, int version, String idstr, int localVersion) {
        if (d == Dialect.CHAINED) {
            return List.of(chained("unsupported version " + version + " for '" + idstr + "' v" + localVersion));
        }
        return List.of(unsupportedVersion(version, idstr, localVersion), loadFailed(EINVAL));
    }

    /** A device read with a different layout than it was written with; 11.1 names the section id when it knows it. */
    public static List<String> missingFooterLines(Dialect d, String idstr, int sectionId) {
        if (d == Dialect.CHAINED) {
            return List.of(missingFooter(idstr), chained("Section footer error, section_id: "
                    + (sectionId >= 0 ? Integer.toString(sectionId) : "?")));
        }
        return List.of(missingFooter(idstr), loadFailed(EINVAL));
    }

    /**
     * A subsection the destination's release does not know (cpu/wfxt-timer into 7.2, cpu/fpmr into 10.0, GICv3's
     * per-vCPU arm_gicv3_cpu/nmi into 7.2): 7.2 and 10.0 name the struct field it was nested in, the device and the
     * errno; 11.1 chains the subsection's name and its parent's (its nested form is taken from its format strings).
     *
     * @param field the struct field whose elements sent it, or null for the device's own subsection
     */
    public static List<String> unknownSubsectionLines(Dialect d, String idstr, int instance, String field,
                                                      String subsection) {
        String failedField = field == null ? null : "Failed to load " + idstr + ":" + field;
        if (d == Dialect.CHAINED) {
            int slash = subsection.lastIndexOf('/');
            String parent = slash > 0 ? subsection.substring(0, slash) : idstr;
            return List.of(chained(errorLoadingDevice(instance, idstr) + (failedField == null ? "" : ": " + failedField)
                    + ": VM subsection '" + subsection + "' in '" + parent + "' does not exist"));
        }
        List<String> out = new java.util.ArrayList<>();
        if (failedField != null) {
            out.add(failedField);
        }
        out.add(errorLoadingDevice(instance, idstr));
        out.add(loadFailed(ENOENT));
        return List.copyOf(out);
    }

    /**
     * QEMU 10.0.13 aborting (SIGABRT, exit 134) when it loads the cpu/wfxt-timer subsection into a CPU model without
     * FEAT_WFxT: the timer it would load into was never created. The line number is that build's.
     */
    public static String wfxtTimerAbort() {
        return "migration/vmstate.c:172: vmstate_load_state: Assertion `first_elem || !n_elems || !size' failed.";
    }

    /** Series v1 {@code kvm_arm_cpu_post_load} error for each unexpected register (index in the unexpected list). */
    public static String kvmUnexpected(int i, RegId id) {
        return String.format("kvm_arm_cpu_post_load Unexpected register in input stream: %d 0x%x %s",
                i, id.value(), RegCatalog.get().qemuTraceName(id));
    }

    /** Series v1 trace for each missing register (KVM). */
    public static String traceKvmMissing(RegId id) {
        return "kvm_arm_cpu_post_load_missing_reg Missing register in input stream: " + RegCatalog.get().qemuTraceName(id);
    }

    public static String traceMissing(int i, RegId id, int v) {
        return String.format("cpu_post_load_missing missing register in input stream: i=%d index=0x%x (v=%d)", i, id.value(), v);
    }

    public static String traceUnexpected(int v, RegId id, int i) {
        return String.format("cpu_post_load_unexpected unexpected register in input stream: v=%d index=0x%x (i=%d)", v, id.value(), i);
    }

    public static String traceMissingAsExpected(int v, RegId id, int i) {
        return String.format("cpu_post_load_missing_as_expected register missing as expected in input stream: v=%d index=0x%x (i=%d)",
                v, id.value(), i);
    }

    public static String traceLen(int local, int vmstate) {
        return String.format("cpu_post_load_len cpreg_array_len=%d cpreg_vmstate_array_len=%d", local, vmstate);
    }

    /**
     * QEMU 11.1's name for a register: under KVM its KVM printer ({@code system register op0:3 op1:0 crn:9 crm:14
     * op2:6}, {@code fw reg 0}, as real 11.1 prints them), else the 32-bit cpreg key.
     */
    public static String name111(RegId id, Accel accel) {
        if (accel != Accel.KVM) {
            return String.format("system register 0x%x", id.qemuCpregKey());
        }
        String trace = RegCatalog.get().qemuTraceName(id);
        return id.regClass() == dev.regshim.regs.RegClass.SYSREG ? "system register " + trace : trace;
    }

    public static String warnMissing111(RegId id, Accel accel) {
        return "warning: handle_cpreg_missing_in_incoming_stream: " + name111(id, accel)
                + " expected by the destination but not in the incoming stream: skip it";
    }

    public static String errorOnlyIncoming111(RegId id, Accel accel) {
        return "handle_cpreg_only_in_incoming_stream: " + name111(id, accel) + " in the incoming stream but unknown on the destination: fail migration";
    }

    public static String traceTolerateMissing111(RegId id, Accel accel) {
        return "tolerate_cpreg_missing_in_incoming_stream cpreg " + name111(id, accel)
                + " is missing in incoming stream but this is explicitly tolerated";
    }

    public static String traceTolerateOnlyIncoming111(RegId id, Accel accel) {
        return "tolerate_cpreg_only_in_incoming_stream cpreg " + name111(id, accel)
                + " is in incoming stream but not on destination but this is explicitly tolerated";
    }

    /**
     * What QEMU 7.2-11.0 print when KVM refuses a register value after an incoming migration: the cpu post_load
     * fails, then the write-back of the registers fails and QEMU exits (status 1) before its usual last line.
     */
    public static List<String> kvmPutFailed(int instance, String strerror) {
        return List.of(errorLoadingDevice(instance, "cpu"), putAfterInitFailed(strerror));
    }

    /** Cornelia Huck's {@code write_list_to_kvmstate} report (QEMU 10.2+), naming the register as the release does. */
    public static String couldNotSet(String name, long value, long is) {
        return String.format("Could not set register %s to %x (is %x)", name, value, is);
    }

    /** QEMU 11.1 when KVM does not know a register it puts (ENOENT: KVM hides it for this VM). */
    public static String couldNotSetUnknown(String name) {
        return "Could not set register " + name + ": unknown to KVM";
    }

    /** QEMU exits when KVM refuses the registers it puts after an incoming migration. */
    public static String putAfterInitFailed(String strerror) {
        return "Failed to put registers after init: " + strerror;
    }
}
