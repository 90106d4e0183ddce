package dev.regshim.qemu;

import dev.regshim.RegshimException;

/** QEMU could not be found, started, driven or did not do what was asked; the message says which and why. */
public class QemuException extends RegshimException {

    public QemuException(String message) {
        super(message);
    }

    public QemuException(String message, Throwable cause) {
        super(message, cause);
    }
}
