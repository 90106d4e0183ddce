package dev.regshim.cpreg;

import java.util.Optional;

/**
 * The destination QEMU's release as the model uses it, and where it came from: given ({@code --to-qemu}), recorded
 * exactly by the destination's profile (a capture ran it), inferred from what a destination stream proves, or
 * unknown (a kernel table or a register list says nothing about QEMU).
 *
 * @param release the release modelled, or null when unknown
 * @param range   what the destination profile proves (unknown when it proves nothing)
 */
public record DestinationRelease(QemuRelease release, Source source, ReleaseRange range) {

    public enum Source { GIVEN, RECORDED, INFERRED, UNKNOWN }

    /** Unknown: the model keeps its release-independent behaviour (stock semantics, no subsection facts). */
    public static final DestinationRelease UNKNOWN = new DestinationRelease(null, Source.UNKNOWN, ReleaseRange.UNKNOWN);

    /**
     * @param given    the {@code --to-qemu} value, or null
     * @param recorded the destination profile's recorded QEMU version, or null
     */
    public static DestinationRelease resolve(String given, String recorded) {
        ReleaseRange range = ReleaseRange.ofRecorded(recorded);
        if (given != null && !given.isBlank()) {
            return new DestinationRelease(QemuRelease.parse(given), Source.GIVEN, range);
        }
        if (range.exact()) {
            return new DestinationRelease(range.lo(), Source.RECORDED, range);
        }
        Optional<QemuRelease> assumed = range.assumed();
        return assumed.map(r -> new DestinationRelease(r, Source.INFERRED, range)).orElse(UNKNOWN);
    }

    public static DestinationRelease given(QemuRelease r) {
        return new DestinationRelease(r, Source.GIVEN, ReleaseRange.UNKNOWN);
    }

    public boolean known() {
        return release != null;
    }

    /** The semantics {@code --semantics auto} stands for here. */
    public Semantics semantics() {
        return release == null ? Semantics.QEMU_STOCK : release.cpregSemantics();
    }

    /**
     * Whether the given release contradicts what the destination profile proves (e.g. {@code --to-qemu 10.0} for a
     * stream only 11.1 writes): a one-line warning, or empty.
     */
    public Optional<String> contradiction() {
        if (source != Source.GIVEN || !range.known()) {
            return Optional.empty();
        }
        if (range.exact()) {
            return release.equals(range.lo()) ? Optional.empty() : Optional.of("--to-qemu " + release
                    + " but the destination profile was captured with QEMU " + range.lo() + ": the model follows --to-qemu");
        }
        boolean outside = (range.lo() != null && release.compareTo(range.lo()) < 0)
                || (range.hi() != null && release.compareTo(range.hi()) > 0);
        return outside ? Optional.of("--to-qemu " + release + " but the destination stream was written by QEMU "
                + range + ": the model follows --to-qemu") : Optional.empty();
    }

    /** One line for the report: which release, and how sure. */
    public String describe() {
        return switch (source) {
            case GIVEN -> "QEMU " + release + " (--to-qemu)" + release.assumption().map(a -> "; " + a).orElse("");
            case RECORDED -> "QEMU " + release + " (recorded by the destination's capture)"
                    + release.assumption().map(a -> "; " + a).orElse("");
            case INFERRED -> range.ambiguous()
                    ? "QEMU " + release + " assumed: the destination stream proves QEMU " + range + ", where "
                    + String.join(" and ", range.modelClasses().stream().map(QemuRelease::toString).toList())
                    + " load differently; --to-qemu to say which"
                    : "QEMU " + range + " (proven by the destination stream), modelled as " + release;
            case UNKNOWN -> "QEMU release unknown (the destination profile does not say): modelled as stock QEMU "
                    + "7.2-11.0 without release-specific lines; --to-qemu to say which";
        };
    }
}
