package dev.regshim.qemu;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The last lines a child process wrote to one of its output streams, kept within fixed bounds so that a chatty
 * or runaway process cannot grow our heap: at most {@code maxLines} lines (oldest dropped first) of at most
 * {@code maxLineChars} characters each (the rest of a longer line is dropped). Thread-safe; a daemon thread
 * started by {@link #pump} fills it until the stream ends.
 */
final class BoundedLines {

    static final int DEFAULT_MAX_LINES = 2000;
    static final int DEFAULT_MAX_LINE_CHARS = 4096;
    private static final int READ_CHUNK = 8192;

    private final int maxLines;
    private final int maxLineChars;
    private final Deque<String> lines = new ArrayDeque<>();
    private long droppedLines;
    private Thread pumpThread;

    BoundedLines(int maxLines, int maxLineChars) {
        this.maxLines = maxLines;
        this.maxLineChars = maxLineChars;
    }

    BoundedLines() {
        this(DEFAULT_MAX_LINES, DEFAULT_MAX_LINE_CHARS);
    }

    /** Starts a daemon thread copying {@code in} line by line into this buffer until end of stream. */
    synchronized BoundedLines pump(InputStream in, String threadName) {
        pumpThread = new Thread(() -> readAll(in), threadName);
        pumpThread.setDaemon(true);
        pumpThread.start();
        return this;
    }

    /** Waits (bounded) until the pump has seen end of stream, so that every line the process wrote is here. */
    void awaitEnd(long millis) {
        Thread t;
        synchronized (this) {
            t = pumpThread;
        }
        if (t == null) {
            return;
        }
        try {
            t.join(Math.max(1, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    synchronized void add(String line) {
        String kept = line.length() <= maxLineChars ? line : line.substring(0, maxLineChars);
        lines.addLast(kept);
        while (lines.size() > maxLines) {
            lines.removeFirst();
            droppedLines++;
        }
    }

    synchronized List<String> snapshot() {
        return List.copyOf(new ArrayList<>(lines));
    }

    synchronized long droppedLines() {
        return droppedLines;
    }

    private void readAll(InputStream in) {
        byte[] chunk = new byte[READ_CHUNK];
        byte[] line = new byte[maxLineChars];
        int lineLen = 0;
        try (in) {
            int n;
            while ((n = in.read(chunk)) > 0) {
                for (int i = 0; i < n; i++) {
                    byte b = chunk[i];
                    if (b == '\n') {
                        add(decode(line, lineLen));
                        lineLen = 0;
                    } else if (lineLen < line.length) {
                        line[lineLen++] = b;
                    }
                }
            }
        } catch (IOException e) {
            // The process went away or the stream was closed by close(): what was read so far is kept.
        }
        if (lineLen > 0) {
            add(decode(line, lineLen));
        }
    }

    private static String decode(byte[] bytes, int len) {
        int end = len;
        if (end > 0 && bytes[end - 1] == '\r') {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }
}
