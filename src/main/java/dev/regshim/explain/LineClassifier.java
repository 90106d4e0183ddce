package dev.regshim.explain;

import dev.regshim.explain.LogEvent.Signal;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegParser;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises one line of what a destination QEMU printed, in any release's dialect. Every pattern is searched for
 * anywhere in the line (so any prefix is fine) and has only bounded repetitions, so a line costs time linear in its
 * length. A line may say more than one thing (11.1 chains the causes onto its last line).
 */
final class LineClassifier {

    private static final Pattern LENGTH_CHECK = Pattern.compile(
            "Invalid value (-?\\d{1,10}) expecting positive value <= (\\d{1,10})");
    private static final Pattern DEVICE_FAILED = Pattern.compile(
            "error while loading state for instance 0x([0-9a-fA-F]{1,8}) of device '([^']{0,256})'");
    private static final Pattern LOAD_FAILED = Pattern.compile("load of migration failed: ([^:]{1,80})(?:: (.*))?");
    private static final Pattern SERIES_LENGTHS = Pattern.compile(
            "cpu_post_load_len cpreg_array_len=(\\d{1,10}) cpreg_vmstate_array_len=(\\d{1,10})");
    private static final Pattern PUT_FAILED = Pattern.compile("Failed to put registers after init: ([^:]{1,80})");
    private static final Pattern COULD_NOT_SET = Pattern.compile(
            "Could not set register (.{1,128}) to ([0-9a-fA-F]{1,16}) \\(is ([0-9a-fA-F]{1,16})\\)");
    private static final Pattern UNKNOWN_SECTION = Pattern.compile(
            "Unknown (?:savevm )?section or instance '([^']{0,256})' (-?\\d{1,10})");
    private static final Pattern MACHINE = Pattern.compile(
            "Machine type received is '([^']{0,128})' and local is '([^']{0,128})'");
    private static final Pattern RAMBLOCK = Pattern.compile("Unknown ramblock \"([^\"]{0,256})\"");
    private static final Pattern RAM_SIZE = Pattern.compile(
            "Size mismatch: ([^:]{1,256}): 0x([0-9a-fA-F]{1,16}) != 0x([0-9a-fA-F]{1,16})");
    private static final Pattern FOOTER = Pattern.compile(
            "(?:Missing section footer for ([^\\s:]{1,256})|Section footer error, section_id: ([^\\s:]{1,12}))");
    private static final Pattern VERSION = Pattern.compile(
            "unsupported version (\\d{1,10}) for '([^']{0,256})' v(\\d{1,10})");
    private static final Pattern COMMAND = Pattern.compile("MIG_CMD 0x([0-9a-fA-F]{1,8}) unknown");
    private static final Pattern ABORT_STATUS = Pattern.compile(
            "(?:\\bAborted\\b|core dumped|SIGABRT|\\b(?:exit|status|code)[ =:]{1,3}134\\b|killed by signal 6\\b)");
    private static final String ASSERTION = ": Assertion `";

    private LineClassifier() {
    }

    /**
     * A word every recognised line contains; a line with none of them is skipped without running a pattern, which
     * keeps a long log's unrelated lines cheap ({@link String#indexOf} per word).
     */
    private static final String[] KEYWORDS = {"expecting positive value", "cpreg", "register", "cpu_post_load",
        "error while loading state", "post load hook failed", "section or instance", "Not a migration stream",
        "Machine type received", "Unknown ramblock", "Size mismatch", "ection footer", "unsupported version", "MIG_CMD",
        "Assertion `", "Abort", "core dumped", "SIGABRT", "134", "signal 6", "load of migration failed"};

    static boolean mayMatter(String text) {
        for (String k : KEYWORDS) {
            if (text.contains(k)) {
                return true;
            }
        }
        return false;
    }

    /** What {@code text} says (nothing for an unrelated line). */
    static List<LogEvent> classify(String text, int line) {
        if (!mayMatter(text)) {
            return List.of();
        }
        List<LogEvent> out = new ArrayList<>(2);
        Matcher m;
        if (text.contains("expecting positive value") && (m = LENGTH_CHECK.matcher(text)).find()) {
            out.add(event(Signal.LENGTH_CHECK, line, List.of(), List.of(num(m, 1), num(m, 2)), List.of(), text));
        }
        if (text.contains("Failed to load cpu:cpreg_vmstate_array_len")) {
            out.add(event(Signal.LENGTH_FIELD, line, List.of(), List.of(), List.of(), text));
        }
        registerLines(text, line, out);
        if (text.contains("cpu_post_load_len") && (m = SERIES_LENGTHS.matcher(text)).find()) {
            out.add(event(Signal.SERIES_LENGTHS, line, List.of(), List.of(num(m, 1), num(m, 2)), List.of(), text));
        }
        if (text.contains("error while loading state") && (m = DEVICE_FAILED.matcher(text)).find()) {
            out.add(event(Signal.DEVICE_FAILED, line, List.of(), List.of(Long.parseLong(m.group(1), 16)),
                    List.of(m.group(2)), text));
        }
        if (text.contains("post load hook failed for: cpu,")) {
            out.add(event(Signal.POST_LOAD_FAILED, line, List.of(), List.of(), List.of(), text));
        }
        if (text.contains("Failed to put registers") && (m = PUT_FAILED.matcher(text)).find()) {
            out.add(event(Signal.PUT_FAILED, line, List.of(), List.of(), List.of(m.group(1).strip()), text));
        }
        if (text.contains("Could not set register") && (m = COULD_NOT_SET.matcher(text)).find()) {
            out.add(event(Signal.COULD_NOT_SET, line, RegParser.findInLine(m.group(1)),
                    List.of(Long.parseUnsignedLong(m.group(2), 16), Long.parseUnsignedLong(m.group(3), 16)),
                    List.of(m.group(1)), text));
        }
        devices(text, line, out);
        abort(text, line, out);
        if (text.contains("load of migration failed") && (m = LOAD_FAILED.matcher(text)).find()) {
            out.add(event(Signal.LOAD_FAILED, line, List.of(), List.of(),
                    List.of(m.group(1).strip(), m.group(2) == null ? "" : m.group(2)), text));
        }
        return out;
    }

    /** Lines naming registers: 11.1's handlers and tolerances, the series' traces and v1 errors. */
    private static void registerLines(String text, int line, List<LogEvent> out) {
        Signal s = null;
        String word = "";
        if (text.contains("handle_cpreg_only_in_incoming_stream")) {
            s = Signal.UNKNOWN_ON_DESTINATION;
        } else if (text.contains("handle_cpreg_missing_in_incoming_stream")) {
            s = Signal.MISSING_IN_STREAM;
        } else if (text.contains("tolerate_cpreg_missing_in_incoming_stream")) {
            s = Signal.TOLERATED;
            word = "missing";
        } else if (text.contains("tolerate_cpreg_only_in_incoming_stream")) {
            s = Signal.TOLERATED;
            word = "incoming only";
        } else if (text.contains("Unexpected register in input stream") || text.contains("cpu_post_load_unexpected")) {
            s = Signal.SERIES_UNEXPECTED;
        } else if (text.contains("cpu_post_load_missing_as_expected")) {
            s = Signal.SERIES_MISSING;
            word = "as expected";
        } else if (text.contains("Missing register in input stream") || text.contains("cpu_post_load_missing ")) {
            s = Signal.SERIES_MISSING;
        }
        if (s == null) {
            return;
        }
        List<RegId> regs = RegParser.findInLine(text);
        if (!regs.isEmpty()) {
            out.add(event(s, line, regs, List.of(), List.of(word), text));
        }
    }

    private static void devices(String text, int line, List<LogEvent> out) {
        Matcher m;
        if (text.contains("section or instance") && (m = UNKNOWN_SECTION.matcher(text)).find()) {
            out.add(event(Signal.UNKNOWN_SECTION, line, List.of(), List.of(num(m, 2)), List.of(m.group(1)), text));
        }
        if (text.contains("Not a migration stream")) {
            out.add(event(Signal.NOT_A_STREAM, line, List.of(), List.of(), List.of(), text));
        }
        if (text.contains("Machine type received") && (m = MACHINE.matcher(text)).find()) {
            out.add(event(Signal.MACHINE_MISMATCH, line, List.of(), List.of(), List.of(m.group(1), m.group(2)), text));
        }
        if (text.contains("Unknown ramblock") && (m = RAMBLOCK.matcher(text)).find()) {
            out.add(event(Signal.UNKNOWN_RAMBLOCK, line, List.of(), List.of(), List.of(m.group(1)), text));
        }
        if (text.contains("Size mismatch") && (m = RAM_SIZE.matcher(text)).find()) {
            out.add(event(Signal.RAM_SIZE_MISMATCH, line, List.of(), List.of(Long.parseUnsignedLong(m.group(2), 16),
                    Long.parseUnsignedLong(m.group(3), 16)), List.of(m.group(1).strip()), text));
        }
        if (text.contains("ection footer") && (m = FOOTER.matcher(text)).find()) {
            String what = m.group(1) != null ? m.group(1) : "section id " + m.group(2);
            out.add(event(Signal.FOOTER, line, List.of(), List.of(), List.of(what), text));
        }
        if (text.contains("unsupported version") && (m = VERSION.matcher(text)).find()) {
            out.add(event(Signal.UNSUPPORTED_VERSION, line, List.of(), List.of(num(m, 1), num(m, 3)),
                    List.of(m.group(2)), text));
        }
        if (text.contains("MIG_CMD") && (m = COMMAND.matcher(text)).find()) {
            out.add(event(Signal.UNKNOWN_COMMAND, line, List.of(), List.of(Long.parseLong(m.group(1), 16)), List.of(), text));
        }
    }

    /** {@code file:line: function: Assertion `expr' failed.}, and the process's end by SIGABRT. */
    private static void abort(String text, int line, List<LogEvent> out) {
        int a = text.indexOf(ASSERTION);
        if (a >= 0) {
            int fnStart = text.lastIndexOf(' ', a - 1) + 1;
            String function = text.substring(fnStart, a);
            int exprStart = a + ASSERTION.length();
            int exprEnd = text.indexOf("' failed", exprStart);
            String expr = exprEnd < 0 ? text.substring(exprStart) : text.substring(exprStart, exprEnd);
            out.add(event(Signal.ABORT, line, List.of(), List.of(), List.of(function, expr), text));
        } else if ((text.contains("Abort") || text.contains("core dumped") || text.contains("SIGABRT")
                || text.contains("134") || text.contains("signal 6")) && ABORT_STATUS.matcher(text).find()) {
            out.add(event(Signal.ABORTED_PROCESS, line, List.of(), List.of(), List.of(), text));
        }
    }

    private static long num(Matcher m, int g) {
        return Long.parseLong(m.group(g));
    }

    private static LogEvent event(Signal s, int line, List<RegId> regs, List<Long> numbers, List<String> words,
                                  String text) {
        return new LogEvent(s, line, regs, numbers, words, QemuLog.cut(QemuLog.message(text)));
    }
}
