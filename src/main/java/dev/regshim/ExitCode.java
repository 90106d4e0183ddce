package dev.regshim;

/**
 * The exit codes of every regshim command, as the README documents them: the one place they are defined. Domain
 * errors carry theirs ({@link RegshimException#exitCode()}); the CLI returns them.
 */
public final class ExitCode {

    /** Done; the answer is yes (loads, identical, agrees, migrated). */
    public static final int OK = 0;
    /** The answer is no (differs, would not load, refused to lose guest state, the destination failed). */
    public static final int DIFFERENT = 1;
    /** Bad usage or bad input (an unreadable or malformed file, an unknown name, a source that sent garbage). */
    public static final int INPUT = 2;
    /** A bug in regshim: an unexpected exception. */
    public static final int INTERNAL = 3;

    private ExitCode() {
    }
}
