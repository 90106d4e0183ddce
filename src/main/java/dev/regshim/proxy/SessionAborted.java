package dev.regshim.proxy;

/**
 * Thrown out of a read or write that failed only because the session had already been aborted (by the watchdog or
 * the other direction) and its sockets closed under it; the real reason is the session's recorded failure.
 */
final class SessionAborted extends RuntimeException {

    SessionAborted() {
        super("aborted", null, false, false);
    }
}
