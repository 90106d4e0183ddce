package dev.regshim.cpreg;

import dev.regshim.regs.RegId;

import java.util.OptionalLong;

/**
 * One register the load treats specially, with the value involved when known: an unexpected incoming register
 * (its incoming value), a missing one (the destination's value), or one tolerated/dropped (why).
 */
public record RegIssue(RegId id, OptionalLong value, String note) {

    public static RegIssue of(long id, Long value, String note) {
        return new RegIssue(RegId.of(id), value == null ? OptionalLong.empty() : OptionalLong.of(value), note);
    }
}
