package dev.regshim.lab.guest;

import java.nio.file.Path;
import java.util.List;

/**
 * Checks that the counter guest resumed after a migration exactly where it stopped.
 *
 * <p>The source's and the destination's serial logs are joined (the source may have been stopped in the middle of
 * a line, which the destination then completes) and parsed as one log. It passes when: both sides printed at least
 * one complete counter line; every line is a counter line except the one boot banner at the start (a banner later
 * means the guest rebooted instead of resuming); counts rise by exactly 1 from each line to the next, in particular
 * from the source's last to the destination's first; and the registers the program set (TPIDR_EL0, TPIDRRO_EL0,
 * TPIDR_EL1, CONTEXTIDR_EL1) and the exception level never change. ID_AA64ISAR1_EL1 must stay the same unless the
 * caller allows it to change (a migration to another CPU model), and then only at the boundary.
 */
public final class Continuity {

    /**
     * @param problem "" when continuous, else the first violation
     * @param sourceLast count of the last line the source started, -1 if none
     * @param destinationFirst count of the first line the destination started, -1 if none
     */
    public record Report(String problem, long sourceLast, long destinationFirst, int sourceLines,
                         int destinationLines) {
        public boolean ok() {
            return problem.isEmpty();
        }
    }

    private Continuity() {
    }

    public static Report check(Path sourceLog, Path destinationLog) {
        return check(SerialLog.read(sourceLog).text(), SerialLog.read(destinationLog).text(), false);
    }

    public static Report check(Path sourceLog, Path destinationLog, boolean allowIsar1Change) {
        return check(SerialLog.read(sourceLog).text(), SerialLog.read(destinationLog).text(), allowIsar1Change);
    }

    public static Report check(String sourceText, String destinationText, boolean allowIsar1Change) {
        SerialLog joined = SerialLog.parse(sourceText + destinationText);
        // Lines are numbered in the joined text; those starting after the source's last newline came (at least
        // partly) from the destination, unless they complete the source's partial last line.
        int sourceLineCount = (int) sourceText.chars().filter(c -> c == '\n').count();
        int firstDestinationLine = sourceLineCount + (sourceText.isEmpty() || sourceText.endsWith("\n") ? 1 : 2);
        List<CounterLine> lines = joined.lines();
        List<CounterLine> src = lines.stream().filter(l -> l.lineNumber() < firstDestinationLine).toList();
        List<CounterLine> dst = lines.stream().filter(l -> l.lineNumber() >= firstDestinationLine).toList();
        long srcLast = src.isEmpty() ? -1 : src.get(src.size() - 1).count();
        long dstFirst = dst.isEmpty() ? -1 : dst.get(0).count();
        String problem = findProblem(joined, src, dst, firstDestinationLine, sourceLineCount + 1, allowIsar1Change);
        return new Report(problem, srcLast, dstFirst, src.size(), dst.size());
    }

    private static String findProblem(SerialLog joined, List<CounterLine> src, List<CounterLine> dst,
                                      int firstDestinationLine, int firstMixedLine, boolean allowIsar1Change) {
        if (src.isEmpty()) {
            return "the source printed no complete counter line";
        }
        if (dst.isEmpty()) {
            return "the destination printed no complete counter line";
        }
        if (!joined.unparsed().isEmpty()) {
            return "unexpected serial output at line " + joined.unparsed().get(0);
        }
        for (int banner : joined.bannerLines()) {
            if (banner >= firstDestinationLine) {
                return "the destination printed the boot banner (line " + banner + "): the guest restarted";
            }
        }
        List<CounterLine> all = joined.lines();
        CounterLine first = all.get(0);
        for (int i = 1; i < all.size(); i++) {
            CounterLine prev = all.get(i - 1);
            CounterLine cur = all.get(i);
            if (cur.count() != prev.count() + 1) {
                return String.format("line %d: n=%x follows n=%x (expected n=%x)", cur.lineNumber(), cur.count(),
                        prev.count(), prev.count() + 1);
            }
            if (!cur.sameProgramState(first)) {
                return "line " + cur.lineNumber() + ": registers changed: " + cur.registers() + " (first line: "
                        + first.registers() + ")";
            }
            // the value may switch on the first destination line, or on the source's cut-off last line when the
            // destination completed it (the guest prints isar1 last, so it may have been read after the move)
            boolean boundary = (prev.lineNumber() < firstDestinationLine && cur.lineNumber() >= firstDestinationLine)
                    || (prev.lineNumber() < firstMixedLine && cur.lineNumber() >= firstMixedLine);
            if (cur.isar1() != prev.isar1() && !(boundary && allowIsar1Change)) {
                return String.format("line %d: isar1 changed from %016x to %016x", cur.lineNumber(), prev.isar1(),
                        cur.isar1());
            }
        }
        return "";
    }
}
