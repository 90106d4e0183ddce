package dev.regshim.qemu;

/** QEMU answered a QMP command with an error object: {@code {"error": {"class": ..., "desc": ...}}}. */
public final class QmpException extends QemuException {

    private final String command;
    private final String errorClass;
    private final String description;

    public QmpException(String command, String errorClass, String description) {
        super("QMP command '" + command + "' failed: " + errorClass + ": " + description);
        this.command = command;
        this.errorClass = errorClass;
        this.description = description;
    }

    public String command() {
        return command;
    }

    /** QMP's error class, e.g. {@code GenericError}, {@code CommandNotFound}. */
    public String errorClass() {
        return errorClass;
    }

    /** QMP's human-readable error text, verbatim. */
    public String description() {
        return description;
    }
}
