package dev.regshim.proxy;

/**
 * Who or what stopped a migration, and the exit code the CLI reports for it. In every case the proxy has closed
 * both connections, so the source's migration fails and its VM keeps running there (see the README for what the
 * source shows with and without the {@code return-path} capability).
 */
public enum Fault {
    /** regshim's rewrite rules refuse the stream (guest state would be lost, or it would still not load). */
    REFUSED(1),
    /** The destination is unreachable, closed the connection, failed the load, or sent garbage. */
    DESTINATION(1),
    /** The source sent something that is not a loadable stream, or stopped mid-stream. */
    SOURCE(2);

    private final int exitCode;

    Fault(int exitCode) {
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
