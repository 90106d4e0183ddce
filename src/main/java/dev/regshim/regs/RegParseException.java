package dev.regshim.regs;

import dev.regshim.RegshimException;

/** A register name, ID or list line that could not be understood. */
public class RegParseException extends RegshimException {
    public RegParseException(String message) {
        super(message);
    }
}
