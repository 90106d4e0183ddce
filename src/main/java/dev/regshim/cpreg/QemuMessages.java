package dev.regshim.cpreg;

import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;

/**
 * The exact texts QEMU prints (each prefixed with {@code qemu-system-aarch64: } on stderr) and the series' trace
 * formats. Stock texts were observed on QEMU 7.2.22 and 10.0.13; series and 11.1 texts are taken from the posted
 * and merged patches.
 */
public final class QemuMessages {

    public static final String PROGRAM_PREFIX = "qemu-system-aarch64: ";
    public static final String EINVAL = "Invalid argument";
    public static final String EPERM = "Operation not permitted";

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

    public static String ramLengthMismatch(String name, long in, long local) {
        return String.format("Length mismatch: %s: 0x%x in != 0x%x: %s", name, in, local, EINVAL);
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

    /** QEMU 11.1's name for a register: KVM's printer under KVM, else the 32-bit cpreg key. */
    public static String name111(RegId id, Accel accel) {
        return accel == Accel.KVM ? RegCatalog.get().qemuTraceName(id)
                : String.format("system register 0x%x", id.qemuCpregKey());
    }

    public static String warnMissing111(RegId id, Accel accel) {
        return "warning: cpu_post_load: " + name111(id, accel)
                + " expected by the destination but not in the incoming stream: skip it";
    }

    public static String errorOnlyIncoming111(RegId id, Accel accel) {
        return "cpu_post_load: " + name111(id, accel) + " in the incoming stream but unknown on the destination: fail migration";
    }

    public static String traceTolerateMissing111(RegId id, Accel accel) {
        return "tolerate_cpreg_missing_in_incoming_stream cpreg " + name111(id, accel)
                + " is missing in incoming stream but this is explicitly tolerated";
    }

    public static String traceTolerateOnlyIncoming111(RegId id, Accel accel) {
        return "tolerate_cpreg_only_in_incoming_stream cpreg " + name111(id, accel)
                + " is in incoming stream but not on destination but this is explicitly tolerated";
    }

    /** Cornelia Huck's {@code write_list_to_kvmstate} report (QEMU 10.2+). */
    public static String couldNotSet(RegId id, long value, long is) {
        return String.format("Could not set register %s to %x (is %x)", RegCatalog.get().qemuTraceName(id), value, is);
    }
}
