package dev.regshim;

/**
 * Base of every domain error regshim reports to a user. The message is a complete, one-line explanation
 * (what, where, which register); the CLI prints it without a stack trace and exits with {@link #exitCode()}.
 */
public class RegshimException extends RuntimeException {

    /** Exit code for usage and input errors ({@link ExitCode#INPUT}). */
    public static final int EXIT_INPUT = ExitCode.INPUT;

    private final int exitCode;

    public RegshimException(String message) {
        this(message, EXIT_INPUT, null);
    }

    public RegshimException(String message, Throwable cause) {
        this(message, EXIT_INPUT, cause);
    }

    protected RegshimException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
