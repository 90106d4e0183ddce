package dev.regshim.lab;

import dev.regshim.RegshimException;

/**
 * A lab run that could not produce its result: a kernel Debian does not have, a file that is not a kernel, an outer
 * VM that did not start or boot, a kernel without KVM, a timeout. The message is one line naming the cause; exit 2.
 */
public class LabException extends RegshimException {

    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
