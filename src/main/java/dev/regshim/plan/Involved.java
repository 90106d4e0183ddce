package dev.regshim.plan;

import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;

/**
 * A register that plays a part in one migration direction.
 *
 * @param role   what happens to it, e.g. "unknown to the destination", "hidden: not migrated"
 * @param safety its classification, or null when it is not a plan entry
 */
public record Involved(RegId id, String role, Safety safety) {

    public String name() {
        return RegCatalog.get().name(id);
    }
}
