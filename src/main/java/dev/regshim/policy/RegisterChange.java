package dev.regshim.policy;

import dev.regshim.regs.RegId;

import java.util.OptionalLong;

/**
 * One change a rewrite makes to a vCPU's cpreg arrays.
 *
 * @param lossy  true when guest state is given up (only ever under {@link Policy#FORCE})
 */
public record RegisterChange(Kind kind, RegId id, OptionalLong oldValue, OptionalLong newValue, String reason,
                             boolean lossy) {

    public enum Kind { DROPPED, ADDED, CHANGED }
}
