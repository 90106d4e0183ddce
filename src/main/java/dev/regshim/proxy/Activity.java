package dev.regshim.proxy;

import java.util.concurrent.atomic.AtomicLong;

/**
 * When each side last made progress, for the idle watchdog: bytes from the source (main or extra channels), bytes
 * taken by the destination, and whether a write to the destination is blocked right now (and since when).
 */
final class Activity {

    private static final long NOT_WRITING = Long.MIN_VALUE;

    private final AtomicLong lastSource = new AtomicLong(System.nanoTime());
    private final AtomicLong lastDestination = new AtomicLong(System.nanoTime());
    private final AtomicLong writeStarted = new AtomicLong(NOT_WRITING);

    void source() {
        lastSource.set(System.nanoTime());
    }

    void destination() {
        lastDestination.set(System.nanoTime());
    }

    void writeStarted() {
        writeStarted.set(System.nanoTime());
    }

    void writeDone() {
        writeStarted.set(NOT_WRITING);
        destination();
    }

    long sourceIdleNanos(long now) {
        return now - lastSource.get();
    }

    long destinationIdleNanos(long now) {
        return now - lastDestination.get();
    }

    /** How long the current write to the destination has been blocked, 0 when none is. */
    long writeBlockedNanos(long now) {
        long s = writeStarted.get();
        return s == NOT_WRITING ? 0 : now - s;
    }
}
