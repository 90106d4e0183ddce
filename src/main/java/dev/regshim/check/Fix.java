package dev.regshim.check;

import dev.regshim.regs.RegId;

import java.util.List;

/**
 * What would make a failing register load, or why nothing simple will.
 *
 * @param kind     HIDE (on both ends, as a machine-type compat), FAKE (accept and drop on the destination),
 *                 REWRITE (drop from the stream with regshim), CPU_MODEL (a value conflict: change the CPU model),
 *                 NONE (informational)
 * @param safe     whether applying it loses no guest-visible state (the value is inert)
 */
public record Fix(Kind kind, List<RegId> registers, String property, boolean safe, String explanation) {

    public enum Kind { HIDE, FAKE, REWRITE, CPU_MODEL, NONE }
}
