package dev.regshim.policy;

import dev.regshim.ExitCode;
import dev.regshim.RegshimException;

/** A rewrite that would lose guest state, or cannot make the stream load: exit 1, nothing written. */
public class RewriteRefusedException extends RegshimException {

    public static final int EXIT_REFUSED = ExitCode.DIFFERENT;

    public RewriteRefusedException(String message) {
        super(message, EXIT_REFUSED, null);
    }
}
