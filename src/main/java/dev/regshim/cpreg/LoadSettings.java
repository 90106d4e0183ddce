package dev.regshim.cpreg;

import dev.regshim.regs.RegSet;

/**
 * How the destination QEMU is configured for the load: which semantics it implements, its accelerator, and the
 * series' CPU properties (ignored, with a warning, by semantics that do not have them).
 *
 * @param hidden registers hidden on both ends ({@code kvm-hidden-regs} / {@code x-mig-hidden-regs}): never listed,
 *               saved, sent or compared
 * @param fake   registers the destination accepts from the stream and drops ({@code kvm-enforced-regs}, faked only
 *               when the kernel does not expose them / {@code x-mig-safe-missing-regs})
 */
public record LoadSettings(Semantics semantics, Accel accel, RegSet hidden, RegSet fake) {

    public LoadSettings {
        hidden = hidden == null ? RegSet.empty() : hidden;
        fake = fake == null ? RegSet.empty() : fake;
    }

    public static LoadSettings of(Semantics semantics, Accel accel) {
        return new LoadSettings(semantics, accel, RegSet.empty(), RegSet.empty());
    }

    /** Whether the hidden property takes effect here (v1: KVM vCPUs only; v2: every ARM CPU). */
    public boolean hidingActive() {
        return semantics == Semantics.SERIES_V2 || (semantics == Semantics.SERIES_V1 && accel == Accel.KVM);
    }

    /** Whether the fake / safe-missing property takes effect here. */
    public boolean fakingActive() {
        return hidingActive();
    }

    public LoadSettings withHidden(RegSet h) {
        return new LoadSettings(semantics, accel, h, fake);
    }

    public LoadSettings withFake(RegSet f) {
        return new LoadSettings(semantics, accel, hidden, f);
    }
}
