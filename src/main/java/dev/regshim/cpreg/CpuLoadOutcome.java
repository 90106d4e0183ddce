package dev.regshim.cpreg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/**
 * The model's verdict for one vCPU: whether QEMU loads its cpreg arrays, the exact lines QEMU prints (without the
 * {@code qemu-system-aarch64: } prefix), the trace lines the series would emit, and every register involved.
 */
public record CpuLoadOutcome(
        boolean loads,
        FailureKind failure,
        List<String> qemuLines,
        List<String> traceLines,
        List<String> notes,
        List<RegIssue> unexpected,
        List<RegIssue> missing,
        List<RegIssue> ignoredTail,
        List<RegIssue> tolerated,
        List<ValueConflict> conflicts,
        int incomingCount,
        int localCount,
        OptionalLong lengthLimit,
        boolean valuesChecked,
        List<String> conditions,
        List<String> putLines) {

    /**
     * Whether KVM will refuse a value when QEMU puts the registers after the load (QEMU 11.1 then prints
     * {@link #putLines()} again and exits): the load of this section succeeds, the migration does not.
     */
    public boolean putRefused() {
        return !putLines.isEmpty();
    }

    /** Accumulates an outcome while the model runs. */
    static final class Builder {
        private FailureKind failure = FailureKind.NONE;
        private final List<String> lines = new ArrayList<>();
        private final List<String> traces = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();
        private final List<RegIssue> unexpected = new ArrayList<>();
        private final List<RegIssue> missing = new ArrayList<>();
        private final List<RegIssue> ignoredTail = new ArrayList<>();
        private final List<RegIssue> tolerated = new ArrayList<>();
        private final List<ValueConflict> conflicts = new ArrayList<>();
        private final List<int[]> matches = new ArrayList<>();
        private int incoming;
        private int local;
        private Long lengthLimit;
        private boolean valuesChecked;
        private final List<String> conditions = new ArrayList<>();
        private final List<String> putLines = new ArrayList<>();

        /** What QEMU prints for this vCPU when KVM refuses its values at the put after init. */
        void putRefused(List<String> lines) {
            putLines.addAll(lines);
        }

        /** The load succeeds only while this holds for a value the model does not know. */
        void condition(String c) {
            conditions.add(c);
        }

        void counts(int incoming, int local) {
            this.incoming = incoming;
            this.local = local;
        }

        void lengthLimit(long limit) {
            this.lengthLimit = limit;
        }

        /**
         * Records a failure. QEMU stops at its first failure, so only the first one's lines are kept; later ones are
         * still analysed (every offending register gets named) but print nothing.
         */
        void fail(FailureKind kind, String... qemuLines) {
            if (failure == FailureKind.NONE) {
                failure = kind;
                lines.addAll(Arrays.asList(qemuLines));
            }
        }

        boolean stopped() {
            return failure != FailureKind.NONE;
        }

        FailureKind failure() {
            return failure;
        }

        /** The same failure, ended as QEMU ends it in another way (e.g. when the put after a failed load fails too). */
        void replaceFailureLines(String... qemuLines) {
            lines.clear();
            lines.addAll(Arrays.asList(qemuLines));
        }

        void line(String l) {
            if (!stopped()) {
                lines.add(l);
            }
        }

        void trace(String t) {
            if (!stopped()) {
                traces.add(t);
            }
        }

        void note(String n) {
            notes.add(n);
        }

        void unexpected(RegIssue r) {
            unexpected.add(r);
        }

        void missing(RegIssue r) {
            missing.add(r);
        }

        void ignoredTail(RegIssue r) {
            ignoredTail.add(r);
        }

        void tolerated(RegIssue r) {
            tolerated.add(r);
        }

        void conflict(ValueConflict c) {
            conflicts.add(c);
        }

        List<String> linesSoFar() {
            return List.copyOf(lines);
        }

        List<ValueConflict> conflictsSoFar() {
            return List.copyOf(conflicts);
        }

        boolean hasConflicts() {
            return !conflicts.isEmpty();
        }

        void matched(int localIndex, int incomingIndex) {
            matches.add(new int[]{localIndex, incomingIndex});
        }

        /** For each local index, the incoming index that supplied its value, or -1. */
        int[] matchIndex(int localLength) {
            int[] m = new int[localLength];
            Arrays.fill(m, -1);
            for (int[] p : matches) {
                m[p[0]] = p[1];
            }
            return m;
        }

        void valuesChecked(boolean b) {
            valuesChecked = b;
        }

        CpuLoadOutcome build() {
            return new CpuLoadOutcome(failure == FailureKind.NONE, failure, List.copyOf(lines), List.copyOf(traces),
                    List.copyOf(notes), List.copyOf(unexpected), List.copyOf(missing), List.copyOf(ignoredTail),
                    List.copyOf(tolerated), List.copyOf(conflicts), incoming, local,
                    lengthLimit == null ? OptionalLong.empty() : OptionalLong.of(lengthLimit), valuesChecked,
                    List.copyOf(conditions), List.copyOf(putLines));
        }
    }
}
