package dev.regshim.cpreg;

/** Why a vCPU's cpreg load fails, in QEMU's order of checks. */
public enum FailureKind {
    NONE,
    /** {@code cpreg_vmstate_array_len} above what the destination accepts. */
    LENGTH,
    /** An incoming register the destination does not have (merge walk or, with the series, the unexpected list). */
    UNKNOWN_REGISTER,
    /** The merged values do not reach the vCPU: constant mismatch (TCG) or rejected SET_ONE_REG (KVM). */
    VALUE_REJECTED
}
