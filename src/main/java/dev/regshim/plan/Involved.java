package dev.regshim.plan;

import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;

/**
 * A register that plays a part in one migration direction.
 *
 * @param kind   what happens to it, the value decisions are taken on
 * @param role   the same in words for reports, e.g. "hidden: not migrated" (a tolerance's own note when tolerated)
 * @param safety its classification, or null when it is not a plan entry
 */
public record Involved(RegId id, Role kind, String role, Safety safety) {

    /** What happens to an involved register. */
    public enum Role {
        UNKNOWN("in the stream, unknown to the destination"),
        TAIL("sorts after the destination's last register: silently dropped (stock QEMU)"),
        /** QEMU 11.1 failed it, then a later tolerated register cleared the failure: dropped without a check. */
        CLEARED("unknown to the destination: QEMU 11.1 fails it, but a tolerated register after it clears that: dropped"),
        /** Accepted by one of the destination QEMU's tolerances; its words are the tolerance's note. */
        TOLERATED(null),
        MISSING("not in the stream: keeps the destination's value"),
        HIDDEN("hidden: not migrated"),
        HIDDEN_DESTINATION("hidden on the destination, which keeps its own value (the source has none)");

        private final String sentence;

        Role(String sentence) {
            this.sentence = sentence;
        }

        public String sentence() {
            return sentence;
        }
    }

    public String name() {
        return RegCatalog.get().name(id);
    }
}
