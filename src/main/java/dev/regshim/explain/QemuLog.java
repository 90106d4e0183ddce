package dev.regshim.explain;

import dev.regshim.RegshimException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lines of a QEMU log that say something about a migration, read in one pass with bounded memory: each line is
 * kept up to {@link #MAX_LINE_CHARS} bytes (the rest is skipped, not buffered), a trailing CR is dropped, and only
 * recognised lines are kept, at most {@link #MAX_EVENTS} of them. Bytes that are not UTF-8 become U+FFFD; control
 * characters stay in {@link LogEvent#text()} and are escaped by whoever prints it.
 *
 * @param events      what the recognised lines say, in log order
 * @param lines       lines read
 * @param cutLines    lines longer than {@link #MAX_LINE_CHARS} (read up to that length)
 * @param eventsDropped events past {@link #MAX_EVENTS} (counted, not kept)
 */
public record QemuLog(List<LogEvent> events, long lines, long cutLines, long eventsDropped) {

    /** Bytes of a line that are looked at; QEMU's longest migration lines are a few hundred. */
    public static final int MAX_LINE_CHARS = 8192;
    /** Events kept; a load that fails on every register of a large vCPU prints a few hundred. */
    public static final int MAX_EVENTS = 20_000;
    /** Characters of a line kept in an event, for quoting it back. */
    public static final int MAX_TEXT = 400;

    private static final int CHUNK = 64 * 1024;

    /** A timestamp at the start of a line: libvirt's {@code 2026-12-03 10:00:00.000+0000: }, QEMU's {@code -msg timestamp=on}. */
    private static final Pattern TIMESTAMP = Pattern.compile(
            "^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?(?:Z|[+-]\\d{2}:?\\d{2})?:?\\s{1,4}(?:\\d{1,10}: )?");
    /** The program name QEMU puts before each message ({@code qemu-system-aarch64: }, {@code /usr/bin/qemu-kvm[123]: }). */
    private static final Pattern PROGRAM = Pattern.compile("^(?:[^\\s:]{0,200}/)?qemu[-\\w.]{0,64}(?:\\[\\d{1,10}])?: ");

    public QemuLog {
        events = List.copyOf(events);
    }

    /**
     * Reads any bytes as a QEMU log; never throws, whatever the input (the entry point for fuzzing a "qemu log").
     */
    public static QemuLog parse(byte[] bytes) {
        try {
            return read(new ByteArrayInputStream(bytes), "input");
        } catch (UncheckedIOException e) {
            throw new IllegalStateException("reading an array cannot fail", e);
        }
    }

    /** Reads a log from a stream; an I/O error is a {@link RegshimException} naming {@code source}. */
    public static QemuLog read(InputStream in, String source) {
        Reader r = new Reader();
        byte[] chunk = new byte[CHUNK];
        long offset = 0;
        try {
            int n;
            while ((n = in.read(chunk)) > 0) {
                r.accept(chunk, n);
                offset += n;
            }
        } catch (IOException e) {
            throw new RegshimException(source + ": cannot read at byte " + offset + ": " + e.getMessage(), e);
        }
        r.endOfInput();
        return new QemuLog(r.events, r.lines, r.cut, r.dropped);
    }

    /** The message of a log line: without a leading timestamp, libvirt thread id or QEMU program name. */
    static String message(String line) {
        String s = line;
        Matcher m = TIMESTAMP.matcher(s);
        if (m.lookingAt()) {
            s = s.substring(m.end());
        }
        m = PROGRAM.matcher(s);
        if (m.lookingAt()) {
            s = s.substring(m.end());
        }
        return s;
    }

    static String cut(String text) {
        return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT) + "...";
    }

    /** Splits bytes into lines as they come; holds one line of at most {@link #MAX_LINE_CHARS} bytes. */
    private static final class Reader {
        private final byte[] line = new byte[MAX_LINE_CHARS];
        private int length;
        private boolean overflow;
        private boolean pending;
        private final List<LogEvent> events = new ArrayList<>();
        private long lines;
        private long cut;
        private long dropped;

        /** Takes {@code n} bytes: each complete line is looked at, the rest held (up to the line bound). */
        void accept(byte[] chunk, int n) {
            int start = 0;
            while (start < n) {
                int nl = start;
                while (nl < n && chunk[nl] != '\n') {
                    nl++;
                }
                append(chunk, start, nl - start);
                if (nl == n) {
                    return;
                }
                endLine();
                start = nl + 1;
            }
        }

        private void append(byte[] chunk, int from, int count) {
            if (count == 0) {
                return;
            }
            pending = true;
            int room = line.length - length;
            int take = Math.min(room, count);
            System.arraycopy(chunk, from, line, length, take);
            length += take;
            if (take < count) {
                overflow = true;
            }
        }

        void endOfInput() {
            if (pending) {
                endLine();
            }
        }

        private void endLine() {
            lines++;
            int n = length;
            if (!overflow && n > 0 && line[n - 1] == '\r') {
                n--;
            }
            if (overflow) {
                cut++;
            }
            if (n > 0) {
                String text = new String(line, 0, n, StandardCharsets.UTF_8);
                int number = (int) Math.min(lines, Integer.MAX_VALUE);
                for (LogEvent e : LineClassifier.classify(text, number)) {
                    if (events.size() < MAX_EVENTS) {
                        events.add(e);
                    } else {
                        dropped++;
                    }
                }
            }
            length = 0;
            overflow = false;
            pending = false;
        }
    }
}
