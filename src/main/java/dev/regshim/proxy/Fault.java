package dev.regshim.proxy;

import dev.regshim.ExitCode;

/**
 * Who or what stopped a migration, and the exit code the CLI reports for it. In every case the proxy has closed
 * both connections, so the source's migration fails and its VM keeps running there (see the README for what the
 * source shows with and without the {@code return-path} capability).
 */
public enum Fault {
    /** regshim's rewrite rules refuse the stream (guest state would be lost, or it would still not load). */
    REFUSED(ExitCode.DIFFERENT),
    /** The destination is unreachable, closed the connection, failed the load, or sent garbage. */
    DESTINATION(ExitCode.DIFFERENT),
    /** The source sent something that is not a loadable stream, or stopped mid-stream. */
    SOURCE(ExitCode.INPUT);

    private final int exitCode;

    Fault(int exitCode) {
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
