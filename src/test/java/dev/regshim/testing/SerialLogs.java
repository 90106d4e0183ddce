package dev.regshim.testing;

import dev.regshim.lab.guest.SerialLog;

import java.nio.file.Path;
import java.time.Duration;

/** Waiting for the counter guest's output in tests. */
public final class SerialLogs {

    private SerialLogs() {
    }

    /**
     * Polls a serial log file until it holds at least {@code minLines} counter lines; returns what it holds then.
     *
     * @throws AssertionError when the guest has not printed that many within the timeout
     */
    public static SerialLog awaitLines(Path file, int minLines, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            SerialLog log = SerialLog.read(file);
            if (log.lines().size() >= minLines) {
                return log;
            }
            if (System.nanoTime() >= deadline) {
                throw new AssertionError("the guest printed " + log.lines().size() + " counter lines to " + file
                        + " within " + timeout.toMillis() + " ms, expected at least " + minLines + "; log:\n" + log.text());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
