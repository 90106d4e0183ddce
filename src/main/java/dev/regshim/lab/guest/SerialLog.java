package dev.regshim.lab.guest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parsed serial output of the counter guest: its {@link CounterLine}s, how many boot banners
 * ({@code counter start el=N}) it printed, and any line that is neither (which means corruption). A last line without
 * its newline (QEMU stopped mid-line) is kept apart as {@link #partialTail()}.
 */
public final class SerialLog {

    private static final Pattern LINE = Pattern.compile("counter n=(\\p{XDigit}{16}) el=(\\d) tpidr_el0=(\\p{XDigit}{16})"
            + " tpidrro_el0=(\\p{XDigit}{16}) tpidr_el1=(\\p{XDigit}{16}) contextidr_el1=(\\p{XDigit}{16})"
            + " isar1=(\\p{XDigit}{16})");
    private static final Pattern BANNER = Pattern.compile("counter start el=(\\d)");

    private final String text;
    private final List<CounterLine> lines;
    private final List<Integer> bannerLines;
    private final List<String> unparsed;
    private final String partialTail;

    private SerialLog(String text, List<CounterLine> lines, List<Integer> bannerLines, List<String> unparsed,
                      String partialTail) {
        this.text = text;
        this.lines = List.copyOf(lines);
        this.bannerLines = List.copyOf(bannerLines);
        this.unparsed = List.copyOf(unparsed);
        this.partialTail = partialTail;
    }

    public static SerialLog read(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.ISO_8859_1));
        } catch (NoSuchFileException e) {
            return parse("");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static SerialLog parse(String text) {
        List<CounterLine> lines = new ArrayList<>();
        List<Integer> banners = new ArrayList<>();
        List<String> unparsed = new ArrayList<>();
        int start = 0;
        int number = 0;
        int nl;
        while ((nl = text.indexOf('\n', start)) >= 0) {
            number++;
            String line = text.substring(start, nl);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            start = nl + 1;
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                lines.add(new CounterLine(number, hex(m.group(1)), Integer.parseInt(m.group(2)), hex(m.group(3)),
                        hex(m.group(4)), hex(m.group(5)), hex(m.group(6)), hex(m.group(7))));
            } else if (BANNER.matcher(line).matches()) {
                banners.add(number);
            } else {
                unparsed.add(number + ": " + line);
            }
        }
        return new SerialLog(text, lines, banners, unparsed, text.substring(start));
    }

    private static long hex(String s) {
        return Long.parseUnsignedLong(s, 16);
    }

    public String text() {
        return text;
    }

    public List<CounterLine> lines() {
        return lines;
    }

    public Optional<CounterLine> last() {
        return lines.isEmpty() ? Optional.empty() : Optional.of(lines.get(lines.size() - 1));
    }

    /** Line numbers of the {@code counter start} banners (one per boot). */
    public List<Integer> bannerLines() {
        return bannerLines;
    }

    /** Complete lines that are neither a counter line nor a banner, as "lineNumber: text". */
    public List<String> unparsed() {
        return unparsed;
    }

    /** Text after the last newline ("" when the log ends with a complete line). */
    public String partialTail() {
        return partialTail;
    }
}
