package dev.regshim.regs.fields;

/**
 * An ID register field that shows a feature to a VM: the feature is on while the field is at least {@code minimum}.
 * KVM's visibility functions test exactly these fields of the VM's ID registers, both to list a feature's registers
 * ({@code kernel.KernelFeature}) and to let a vCPU reach them once its ID registers are written ({@link KvmVisibility}).
 * The one place these gates are defined.
 */
public record IdGate(IdField field, int minimum) {

    public static final IdGate TCRX = of("ID_AA64MMFR3_EL1", "TCRX", 1);
    public static final IdGate SCTLRX = of("ID_AA64MMFR3_EL1", "SCTLRX", 1);
    public static final IdGate S1PIE = of("ID_AA64MMFR3_EL1", "S1PIE", 1);
    public static final IdGate S1POE = of("ID_AA64MMFR3_EL1", "S1POE", 1);
    public static final IdGate FPMR = of("ID_AA64PFR2_EL1", "FPMR", 1);
    public static final IdGate FGT = of("ID_AA64MMFR0_EL1", "FGT", 1);
    public static final IdGate FGT2 = of("ID_AA64MMFR0_EL1", "FGT", 2);

    private static IdGate of(String idRegister, String field, int minimum) {
        return new IdGate(IdRegisterFields.field(idRegister, field).orElseThrow(() -> new IllegalStateException(
                "the bundled sysreg tables have no " + idRegister + "." + field)), minimum);
    }

    /** Whether an ID register value shows the feature. */
    public boolean shown(long idValue) {
        return field.value(idValue) >= minimum;
    }
}
