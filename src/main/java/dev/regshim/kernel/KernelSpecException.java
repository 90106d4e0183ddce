package dev.regshim.kernel;

import dev.regshim.RegshimException;

/** A kernel version or host spec ({@code 6.13+pmu+sve}) that cannot be understood. */
public class KernelSpecException extends RegshimException {
    public KernelSpecException(String message) {
        super(message);
    }
}
