package dev.regshim.regs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads register lists in the forms users have at hand, line by line, detecting each line's form:
 * <ul>
 *   <li>plain lists: one ID or name per line, {@code #} comments, optionally {@code REG = VALUE};</li>
 *   <li>the kvm selftest {@code get-reg-list --list} output ({@code ARM64_SYS_REG(3, 0, 0, 0, 0),},
 *       {@code KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(regs.pc),});</li>
 *   <li>QEMU error and trace lines that name a register, such as
 *       {@code kvm_arm_cpu_post_load Unexpected register in input stream: 0 0x603000000013c103 op0:3 op1:0 crn:2 crm:0 op2:3}.</li>
 * </ul>
 */
public final class RegListReader {

    /** Bound on lines, so a wrong file cannot exhaust memory. */
    public static final int MAX_LINES = 1_000_000;

    private static final Pattern LONG_HEX = Pattern.compile("0x([0-9a-fA-F]{9,16})\\b");
    private static final Pattern TRACE_NAME = Pattern.compile(
            "op0:\\s*\\d+\\s+op1:\\s*\\d+\\s+crn:\\s*\\d+\\s+crm:\\s*\\d+\\s+op2:\\s*\\d+");
    private static final Pattern FW_NAME = Pattern.compile("fw\\s+(?:feat\\s+)?reg\\s+\\d+");
    private static final Pattern CPREG_KEY = Pattern.compile("system\\s+register\\s+0x[0-9a-fA-F]{1,8}");
    /** A value after {@code =}: {@code 0x} hex or decimal (checked in linear time, never by a backtracking pattern). */
    private static final Pattern VALUE = Pattern.compile("0x[0-9a-fA-F_]+|\\d+");

    private RegListReader() {
    }

    /** A parsed list: the IDs in file order (duplicates removed) and any values given with them. */
    public record RegList(RegSet ids, Map<RegId, Long> values, List<RegId> inFileOrder) {
    }

    public static RegList read(Path file) {
        try (BufferedReader r = new BufferedReader(new dev.regshim.util.Utf8Reader(Files.newInputStream(file),
                file.toString()))) {
            return read(r, file.toString());
        } catch (NoSuchFileException e) {
            throw new RegParseException("no such file: " + file);
        } catch (IOException e) {
            throw new RegParseException("cannot read " + file + ": " + dev.regshim.util.SafeFiles.reason(e));
        }
    }

    public static RegList readString(String text, String source) {
        try {
            return read(new BufferedReader(new java.io.StringReader(text)), source);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RegList read(Reader reader, String source) throws IOException {
        BufferedReader r = reader instanceof BufferedReader ? (BufferedReader) reader : new BufferedReader(reader);
        List<RegId> order = new ArrayList<>();
        Map<RegId, Long> values = new LinkedHashMap<>();
        String line;
        int n = 0;
        while ((line = r.readLine()) != null) {
            n++;
            if (n > MAX_LINES) {
                throw new RegParseException(source + ": more than " + MAX_LINES + " lines; not a register list");
            }
            String text = stripComment(line).strip();
            if (text.isEmpty()) {
                continue;
            }
            try {
                parseLine(text, order, values);
            } catch (RegParseException e) {
                throw new RegParseException(source + ":" + n + ": " + e.getMessage());
            }
        }
        List<RegId> unique = new ArrayList<>(new java.util.LinkedHashSet<>(order));
        return new RegList(RegSet.of(unique), values, unique);
    }

    private static String stripComment(String line) {
        int hash = line.indexOf('#');
        return hash < 0 ? line : line.substring(0, hash);
    }

    private static void parseLine(String text, List<RegId> order, Map<RegId, Long> values) {
        String[] assignment = splitAssignment(text);
        if (assignment != null) {
            RegId id = RegParser.parse(assignment[0]);
            order.add(id);
            values.put(id, parseValue(assignment[1]));
            return;
        }
        // A whole-line register in any syntax the parser takes (selftest lines may be wrapped in {..}, and end in ',')
        String candidate = unwrapSelftest(text);
        RegParseException first;
        try {
            order.add(RegParser.parse(candidate));
            return;
        } catch (RegParseException e) {
            first = e;
        }
        // A log or trace line: take the register it names
        RegId found = findInLogLine(text);
        if (found == null) {
            throw first;
        }
        order.add(found);
    }

    /**
     * {@code REG = VALUE} (whitespace on both sides of the first such '=' whose right side is a whole value): the
     * register text and the value text, or null. Linear in the line's length.
     */
    static String[] splitAssignment(String text) {
        for (int eq = text.indexOf('='); eq >= 0; eq = text.indexOf('=', eq + 1)) {
            if (eq == 0 || eq == text.length() - 1 || !Character.isWhitespace(text.charAt(eq - 1))
                    || !Character.isWhitespace(text.charAt(eq + 1))) {
                continue;
            }
            String left = text.substring(0, eq).strip();
            String right = text.substring(eq + 1).strip();
            if (!left.isEmpty() && VALUE.matcher(right).matches()) {
                return new String[]{left, right};
            }
        }
        return null;
    }

    /** A selftest list line {@code {REG},} or {@code REG,} without its braces, commas and spaces. Linear. */
    static String unwrapSelftest(String text) {
        int start = 0;
        int end = text.length();
        if (start < end && text.charAt(start) == '{') {
            start++;
        }
        while (end > start && (Character.isWhitespace(text.charAt(end - 1)) || text.charAt(end - 1) == ',')) {
            end--;
        }
        if (end > start && text.charAt(end - 1) == '}') {
            end--;
        }
        while (end > start && (Character.isWhitespace(text.charAt(end - 1)) || text.charAt(end - 1) == ',')) {
            end--;
        }
        return text.substring(start, end).strip();
    }

    /** The register a QEMU error or trace line names, or null. */
    static RegId findInLogLine(String text) {
        Matcher m = LONG_HEX.matcher(text);
        if (m.find()) {
            return RegId.of(Long.parseUnsignedLong(m.group(1), 16));
        }
        for (Pattern p : new Pattern[]{TRACE_NAME, FW_NAME, CPREG_KEY}) {
            Matcher t = p.matcher(text);
            if (t.find()) {
                return RegParser.parse(t.group());
            }
        }
        return null;
    }

    /** A register value: {@code 0x} hex or decimal, underscores allowed, up to 64 bits unsigned. */
    public static long parseValue(String s) {
        String t = s.replace("_", "").toLowerCase(Locale.ROOT);
        try {
            return t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseUnsignedLong(t);
        } catch (NumberFormatException e) {
            throw new RegParseException("bad value '" + s + "'");
        }
    }
}
