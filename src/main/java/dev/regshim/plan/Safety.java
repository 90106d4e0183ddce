package dev.regshim.plan;

/** Whether leaving a register out of a migration can change what the guest sees. */
public enum Safety {
    /** The guest cannot use the register (its feature is absent everywhere): the value is inert. */
    SAFE,
    /** Safe only while a value condition holds, e.g. {@code KVM_REG_ARM_VENDOR_HYP_BMAP_2 == 0}. */
    CONDITIONAL,
    /** Guest-visible: needs a CPU-model change or separate pools, never a compat list. */
    UNSAFE;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
