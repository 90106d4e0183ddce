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
 * @param destination the destination's QEMU release (aborts, subsections, start-up lines), or unknown
 */
public record LoadSettings(Semantics semantics, Accel accel, RegSet hidden, RegSet fake, DestinationRelease destination) {

    public LoadSettings {
        hidden = hidden == null ? RegSet.empty() : hidden;
        fake = fake == null ? RegSet.empty() : fake;
        destination = destination == null ? DestinationRelease.UNKNOWN : destination;
    }

    public LoadSettings(Semantics semantics, Accel accel, RegSet hidden, RegSet fake) {
        this(semantics, accel, hidden, fake, DestinationRelease.UNKNOWN);
    }

    /** The destination's release, or null when unknown. */
    public QemuRelease release() {
        return destination.release();
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
        return new LoadSettings(semantics, accel, h, fake, destination);
    }

    public LoadSettings withFake(RegSet f) {
        return new LoadSettings(semantics, accel, hidden, f, destination);
    }

    public LoadSettings withDestination(DestinationRelease d) {
        return new LoadSettings(semantics, accel, hidden, fake, d);
    }
}
