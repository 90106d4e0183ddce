package dev.regshim.policy;

import dev.regshim.RegshimException;

import java.util.Locale;

/** How much a rewrite may give up to make a stream load. */
public enum Policy {
    /**
     * Default. Drop a register only when its value is inert (equal to the destination's, zero where zero means
     * "unused", zero and its feature absent from the guest's own ID registers, or declared inert by the user);
     * change an ID register only in the safe direction of every field.
     */
    STRICT,
    /**
     * Also drop registers whose feature the guest provably never enabled (feature absent in its ID registers, or
     * every register of the feature still zero, e.g. all pointer-authentication keys), naming the evidence.
     */
    TOLERANT,
    /** Do what it takes, and print exactly what is discarded. */
    FORCE;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Policy parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new RegshimException("unknown policy '" + s + "'; choose strict, tolerant or force");
        }
    }
}
