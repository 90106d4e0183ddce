package dev.regshim.rewrite;

import dev.regshim.RegshimException;

import java.util.Locale;

/**
 * How much of a spliced output (a bare stream whose RAM the kernel copied) is compared with the input when it is
 * re-read. Either way the whole output is read back from the file and decoded, its device state and trailer are
 * compared with what was planned, and the input must not have changed (size, modification time, file identity) from
 * the first read to the end of the verification. Streams written through the transformer (containers) always have
 * their RAM compared, by digest.
 */
public enum Verification {
    /** Default: compare the head (header, configuration, RAM block list) with the input's; RAM is decoded. */
    DECODE,
    /** Also compare every RAM byte with the input's, reading the input's RAM once more. */
    BYTES;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Verification parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new RegshimException("unknown verification '" + s + "'; choose decode or bytes");
        }
    }
}
