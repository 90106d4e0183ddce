package dev.regshim.kernel;

/** The parts {@code kvm_arm_copy_reg_indices()} assembles {@code KVM_GET_REG_LIST} from, in emission order. */
public enum Component {
    CORE("core", "core registers (guest.c copy_core_reg_indices)"),
    SVE("sve", "SVE registers (guest.c copy_sve_reg_indices)"),
    FW("fw", "firmware registers (hypercalls.c kvm_arm_fw_reg_ids)"),
    FW_FEAT_BMAP("fw_feat_bmap", "firmware feature bitmaps (hypercalls.c kvm_arm_fw_reg_ids)"),
    TIMER("timer", "timer registers (guest.c copy_timer_indices)"),
    INVARIANT("invariant", "invariant ID registers (sys_regs.c invariant_sys_regs)"),
    SYS_REG_DESCS("sys_reg_descs", "system registers (sys_regs.c sys_reg_descs, walk_one_sys_reg)"),
    DEMUX("demux", "DEMUX CCSIDR (sys_regs.c write_demux_regids)");

    private final String label;
    private final String source;

    Component(String label, String source) {
        this.label = label;
        this.source = source;
    }

    public String label() {
        return label;
    }

    /** The kernel code that emits this part. */
    public String source() {
        return source;
    }
}
