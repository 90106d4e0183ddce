package dev.regshim.policy;

import dev.regshim.regs.RegId;

/**
 * Decides whether changing an ID register's value under a running guest is safe: every field must move in its
 * safe direction (the destination at least as capable as what the guest saw).
 */
@FunctionalInterface
public interface IdChangeJudge {

    record Judgement(boolean safe, String summary) {
    }

    Judgement judge(RegId id, long guestSaw, long destination);

    /** As {@link #judge(RegId, long, long)}, knowing whether the guest's vCPU has EL2 (see IdRegisterFields). */
    default Judgement judge(RegId id, long guestSaw, long destination, boolean guestHasEl2) {
        return judge(id, guestSaw, destination);
    }

    /** Without field tables: only an unchanged value is known to be safe. */
    IdChangeJudge EQUAL_ONLY = (id, a, b) -> a == b ? new Judgement(true, "unchanged")
            : new Judgement(false, String.format("0x%016x -> 0x%016x: no field rules known", a, b));
}
