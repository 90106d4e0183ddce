package dev.regshim.regs.fields;

/**
 * The Linux cpufeature {@code FTR_*} type of an ID register field: which direction of change the kernel treats as
 * safe when it combines the values of several CPUs ({@code arm64_ftr_safe_value}).
 */
public enum SafetyRule {
    /** Lower is safe: the system-wide value is the minimum (most feature fields). */
    LOWER_SAFE,
    /** Higher is safe: the system-wide value is the maximum (hazard indications such as SpecSEI). */
    HIGHER_SAFE,
    /** Must match: the system-wide value is a fixed safe value (e.g. pointer-auth algorithms, DZP). */
    EXACT,
    /** Zero or higher is safe: 0 ("size not given") wins, otherwise the maximum (CTR_EL0.CWG/ERG). */
    HIGHER_OR_ZERO_SAFE,
    /** No cpufeature entry covers the field. */
    NONE
}
