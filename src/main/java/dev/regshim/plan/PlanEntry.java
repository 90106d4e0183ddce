package dev.regshim.plan;

import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;

import java.util.List;

/**
 * One register that not every host class lists, what the plan does about it, and why that is safe (or not).
 *
 * @param listedBy    the classes whose raw cpreg list has it
 * @param missingFrom the classes whose raw cpreg list lacks it
 * @param note        an extra remark on the decision (empty when none)
 */
public record PlanEntry(RegId id, Action action, Classification classification, List<Integer> listedBy,
                        List<Integer> missingFrom, String note) {

    public PlanEntry {
        listedBy = List.copyOf(listedBy);
        missingFrom = List.copyOf(missingFrom);
    }

    public String name() {
        return RegCatalog.get().name(id);
    }

    public Safety safety() {
        return classification.safety();
    }

    /** The value condition of a conditional entry, or null. */
    public String condition() {
        return classification.condition();
    }

    /** Whether the plan puts it in a compat list (hidden or fake). */
    public boolean emitted() {
        return action == Action.HIDE || action == Action.FAKE;
    }
}
