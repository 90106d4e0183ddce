package dev.regshim.plan;

/** What the plan does about a register that not every host lists. */
public enum Action {
    /** Hidden on every host ({@code kvm-hidden-regs} / {@code x-mig-hidden-regs}): never listed, sent or compared. */
    HIDE("hide"),
    /** Accepted from the stream and dropped where missing ({@code kvm-enforced-regs} / {@code x-mig-safe-missing-regs}). */
    FAKE("fake"),
    /** QEMU 11.1 tolerates it without configuration. */
    BUILT_IN("built-in"),
    /** The QEMU in use has no way to accept it (stock QEMU, or 11.1 without a tolerance for it). */
    NOT_COVERED("not covered"),
    /** Guest-visible: not emitted; the hosts need a CPU-model change or separate pools. */
    CPU_MODEL("cpu model");

    private final String label;

    Action(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
