package dev.regshim.plan;

import dev.regshim.check.CheckResult;
import dev.regshim.check.Fix;
import dev.regshim.check.MigrationCheck;
import dev.regshim.check.VcpuCheck;
import dev.regshim.cpreg.CpuLoadOutcome;
import dev.regshim.cpreg.KvmValueRule;
import dev.regshim.cpreg.LoadSettings;
import dev.regshim.cpreg.RegIssue;
import dev.regshim.cpreg.Semantics;
import dev.regshim.plan.Involved.Role;
import dev.regshim.profile.Profile;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Runs {@link MigrationCheck} for every ordered pair of host classes (rows in parallel: the model is a pure function)
 * and turns each result into a {@link Cell}: the registers involved with their roles and classifications, the value
 * conditions, guest-visible losses the model's verdict alone does not show (stock QEMU's silent tail skip, a tolerated
 * register a guest can use), CPU feature differences, and the fix.
 */
final class MatrixBuilder {

    /** Where the register names go in an action text. */
    private static final String SLOT = "\u0000";

    private final List<HostClass> classes;
    private final Map<RegId, PlanEntry> entries;
    private final List<FeatureDifference> differences;
    private final KvmValueRule rule;
    private final Semantics planSemantics;

    MatrixBuilder(List<HostClass> classes, Map<RegId, PlanEntry> entries, List<FeatureDifference> differences,
                  KvmValueRule rule, Semantics planSemantics) {
        this.classes = classes;
        this.entries = entries;
        this.differences = differences;
        this.rule = rule;
        this.planSemantics = planSemantics;
    }

    Matrix build(String title, LoadSettings s, boolean after) {
        int k = classes.size();
        Cell[][] cells = new Cell[k][k];
        IntStream.range(0, k).parallel().forEach(i -> {
            for (int j = 0; j < k; j++) {
                if (i == j && classes.get(i).size() < 2) {
                    continue;
                }
                CheckResult r = MigrationCheck.run(classes.get(i).profile(), classes.get(j).profile(), s,
                        rule != null ? rule : classes.get(j).profile().kvmValueRule());
                cells[i][j] = cell(i, j, r, s, after);
            }
        });
        return new Matrix(title, s, cells);
    }

    Cell cell(int i, int j, CheckResult r, LoadSettings s, boolean after) {
        Map<RegId, Involved> involved = new LinkedHashMap<>();
        Set<String> conditions = new LinkedHashSet<>(r.conditions());
        List<RegId> dropped = new ArrayList<>();
        Map<RegId, Long> droppedValue = new LinkedHashMap<>(); // the source's value, where known
        for (VcpuCheck v : r.vcpus()) {
            CpuLoadOutcome o = v.outcome();
            boolean loaded = o.loads();
            for (RegIssue x : o.unexpected()) {
                // an unknown register in a load that went on: QEMU 11.1's cleared failure dropped its value
                involved.putIfAbsent(x.id(), involvedOf(x.id(), loaded ? Role.CLEARED : Role.UNKNOWN));
                if (loaded) {
                    addOnce(dropped, x.id());
                    x.value().ifPresent(val -> droppedValue.put(x.id(), val));
                }
            }
            for (RegIssue x : o.ignoredTail()) {
                involved.putIfAbsent(x.id(), involvedOf(x.id(), Role.TAIL));
                addOnce(dropped, x.id());
                x.value().ifPresent(val -> droppedValue.put(x.id(), val));
            }
            for (RegIssue x : o.tolerated()) {
                involved.putIfAbsent(x.id(), involvedOf(x.id(), Role.TOLERATED, x.note()));
                if (v.sent().indexOf(x.id().value()) >= 0) {
                    addOnce(dropped, x.id()); // the source's value, accepted and dropped (not a local one it lacked)
                    x.value().ifPresent(val -> droppedValue.put(x.id(), val));
                }
            }
            o.missing().forEach(x -> involved.putIfAbsent(x.id(), involvedOf(x.id(), Role.MISSING)));
        }
        if (after && s.hidingActive()) {
            for (RegId h : s.hidden()) {
                boolean atSource = classes.get(i).regs().contains(h);
                if (atSource || classes.get(j).regs().contains(h)) {
                    involved.putIfAbsent(h, involvedOf(h, atSource ? Role.HIDDEN : Role.HIDDEN_DESTINATION));
                }
                if (atSource) {
                    addOnce(dropped, h); // only a value the source had can be left behind
                    for (Profile.Vcpu v : classes.get(i).profile().vcpus()) {
                        v.cpregs().valueOf(h).ifPresent(val -> droppedValue.putIfAbsent(h, val));
                    }
                }
            }
        }
        List<String> problems = new ArrayList<>();
        List<RegId> lost = new ArrayList<>();
        List<String> violated = new ArrayList<>();
        Set<RegId> violatedIds = new LinkedHashSet<>();
        for (RegId id : dropped) {
            PlanEntry e = entries.get(id);
            boolean unchecked = involved.get(id).kind() == Role.TAIL || involved.get(id).kind() == Role.CLEARED;
            Optional<Boolean> holds = e == null || !droppedValue.containsKey(id) ? Optional.empty()
                    : e.classification().holdsFor(droppedValue.get(id));
            if (e == null || e.safety() == Safety.UNSAFE || unchecked || holds.equals(Optional.of(false))) {
                lost.add(id); // stock QEMU's tail skip drops a value without looking at it, whatever it is
                if (holds.equals(Optional.of(false))) {
                    violatedIds.add(id);
                    violated.add(String.format("%s is 0x%x, not what %s asks: dropping it loses guest state", e.name(),
                            droppedValue.get(id), e.condition()));
                }
            } else if (e.safety() == Safety.CONDITIONAL && holds.isEmpty()) {
                conditions.add(e.condition()); // a known value that meets it needs no condition
            }
        }
        CellVerdict verdict;
        String headline;
        if (!r.loads()) {
            verdict = CellVerdict.FAILS;
            headline = r.firstError() == null ? "fails" : r.firstError();
            // with a length failure, unknown registers after the destination's last one are just as unknown
            List<RegId> unknown = involved.values().stream()
                    .filter(x -> x.kind() == Role.UNKNOWN || x.kind() == Role.TAIL)
                    .map(Involved::id).collect(Collectors.toList());
            if (!unknown.isEmpty()) {
                problems.add(label(j) + " does not know " + shortNames(unknown));
            } else {
                problems.add(headline);
            }
        } else if (!lost.isEmpty()) {
            verdict = CellVerdict.LOSS;
            headline = "loads, but drops " + names(lost) + " without failing";
            problems.addAll(violated);
            for (RegId id : lost) {
                if (violatedIds.contains(id)) {
                    continue;
                }
                PlanEntry e = entries.get(id);
                String why;
                String name = RegCatalog.get().name(id);
                if (involved.get(id).kind() == Role.TAIL) {
                    why = name + " sorts after " + label(j) + "'s last register, where stock QEMU stops comparing: dropped "
                            + "without a check" + (e != null && e.condition() != null
                            ? " (harmless only while " + e.condition() + ", which nothing verifies)" : "");
                } else if (involved.get(id).kind() == Role.CLEARED) {
                    why = name + " is unknown to " + label(j) + ": QEMU 11.1 fails it, but a tolerated register sorting"
                            + " after it clears that failure: dropped without a check" + (e != null && e.condition() != null
                            ? " (harmless only while " + e.condition() + ", which nothing verifies)" : "");
                } else {
                    why = name + " is dropped, but " + (e == null ? "it is not shown to be inert" : e.classification().reason());
                }
                problems.add(why);
            }
        } else if (!conditions.isEmpty()) {
            verdict = CellVerdict.CONDITIONAL;
            headline = "loads while " + String.join(" and ", conditions);
        } else {
            verdict = CellVerdict.LOADS;
            headline = dropped.isEmpty() ? "loads" : "loads; drops " + names(dropped) + " (inert)";
        }
        List<String> featureFixes = new ArrayList<>();
        for (FeatureDifference d : differences) {
            GuestFeature f = d.feature();
            if (d.with().contains(i) && d.without().contains(j)) {
                String p = "guest-visible CPU feature difference: guests on " + label(i) + " see " + f.title() + " ("
                        + f.idField() + "), " + label(j) + " cannot offer it";
                if (verdict != CellVerdict.FAILS) {
                    headline = p;
                }
                verdict = CellVerdict.FAILS;
                problems.add(p);
                featureFixes.add(f.remedy());
            } else if (d.without().contains(i) && d.with().contains(j)) {
                String c = label(j) + "'s KVM accepts the guest's " + f.idField() + " = 0 (writable ID registers, 6.7+)";
                conditions.add(c);
                if (verdict == CellVerdict.LOADS) {
                    verdict = CellVerdict.CONDITIONAL;
                    headline = "loads while " + String.join(" and ", conditions);
                }
            }
        }
        if (verdict == CellVerdict.FAILS) {
            conditions.clear(); // a direction that fails has no "loads while"
        }
        String fix = after ? afterFix(verdict, involved, featureFixes, r) : beforeFix(verdict, involved, featureFixes, r);
        return new Cell(i, j, r, verdict, headline, problems, new ArrayList<>(conditions),
                new ArrayList<>(involved.values()), fix);
    }

    private Involved involvedOf(RegId id, Role kind) {
        return involvedOf(id, kind, kind.sentence());
    }

    private Involved involvedOf(RegId id, Role kind, String words) {
        PlanEntry e = entries.get(id);
        return new Involved(id, kind, words, e == null ? null : e.safety());
    }

    /** Whether the register's value is on the source side (the destination-only ones need nothing). */
    private static boolean fromSource(Involved x) {
        return x.kind() != Role.MISSING && x.kind() != Role.HIDDEN_DESTINATION;
    }

    private static void addOnce(List<RegId> list, RegId id) {
        if (!list.contains(id)) {
            list.add(id);
        }
    }

    /** Before: what the plan does about this direction's registers. */
    private String beforeFix(CellVerdict v, Map<RegId, Involved> involved, List<String> featureFixes, CheckResult r) {
        if (v == CellVerdict.LOADS) {
            return "";
        }
        List<String> parts = new ArrayList<>(actions(involved));
        featureFixes.stream().filter(f -> parts.stream().noneMatch(x -> x.contains(f))).distinct().forEach(parts::add);
        if (parts.isEmpty() && !r.loads()) {
            r.fixes().stream().map(Fix::explanation).forEach(parts::add);
        }
        return String.join("; ", parts);
    }

    /** After: for a direction the plan cannot make load, what to do instead. */
    private String afterFix(CellVerdict v, Map<RegId, Involved> involved, List<String> featureFixes, CheckResult r) {
        if (v.acceptable()) {
            return "";
        }
        Map<String, List<RegId>> byRemedy = new LinkedHashMap<>();
        for (Involved x : involved.values()) {
            PlanEntry e = entries.get(x.id());
            if (e != null && e.classification().remedy() != null && fromSource(x)) {
                byRemedy.computeIfAbsent(e.classification().remedy(), q -> new ArrayList<>()).add(x.id());
            } else if (e != null && e.action() == Action.NOT_COVERED && fromSource(x)) {
                byRemedy.computeIfAbsent(notCovered(), q -> new ArrayList<>()).add(x.id());
            }
        }
        Set<String> parts = new LinkedHashSet<>();
        byRemedy.forEach((remedy, ids) -> parts.add(shortNames(ids) + ": " + remedy));
        featureFixes.stream().filter(f -> !byRemedy.containsKey(f)).forEach(parts::add);
        if (parts.isEmpty() && !r.loads()) {
            r.fixes().stream().map(Fix::explanation).forEach(parts::add);
        }
        return String.join("; ", parts);
    }

    private String notCovered() {
        return planSemantics == Semantics.QEMU_11_1
                ? "QEMU 11.1 has no tolerance for it: rewrite the stream with regshim (rewrite / proxy) or keep these hosts apart"
                : planSemantics.label() + " cannot accept it: use QEMU with the series, rewrite the stream with regshim, or keep these hosts apart";
    }

    private List<String> actions(Map<RegId, Involved> involved) {
        Map<String, List<RegId>> byAction = new LinkedHashMap<>();
        for (Involved x : involved.values()) {
            PlanEntry e = entries.get(x.id());
            if (e == null || !fromSource(x)) {
                continue;
            }
            String key;
            switch (e.action()) {
                case HIDE:
                    key = "hide " + SLOT + " (" + planSemantics.hiddenProperty() + ")";
                    break;
                case FAKE:
                    key = "fake " + SLOT + " where missing (" + planSemantics.fakeProperty() + ")";
                    break;
                case BUILT_IN:
                    key = SLOT + ": tolerated by QEMU 11.1 itself" + (e.condition() != null ? " while " + e.condition() : "");
                    break;
                case NOT_COVERED:
                    key = SLOT + ": " + notCovered();
                    break;
                default:
                    key = SLOT + ": unsafe (" + e.classification().remedy() + ")";
                    break;
            }
            byAction.computeIfAbsent(key, q -> new ArrayList<>()).add(x.id());
        }
        List<String> out = new ArrayList<>();
        byAction.forEach((k, ids) -> out.add(k.replace(SLOT, shortNames(ids))));
        return out;
    }

    private String label(int c) {
        return classes.get(c).label();
    }

    /** Up to four names, then how many more. */
    static String shortNames(List<RegId> ids) {
        int shown = 4;
        if (ids.size() <= shown + 1) {
            return names(ids);
        }
        return names(ids.subList(0, shown)) + " and " + (ids.size() - shown) + " more";
    }

    static String names(List<RegId> ids) {
        return ids.stream().map(id -> RegCatalog.get().name(id)).collect(Collectors.joining(", "));
    }
}
