package dev.regshim.cli;

import dev.regshim.plan.Cell;
import dev.regshim.plan.CellVerdict;
import dev.regshim.plan.ChainReport;
import dev.regshim.plan.CompatEmitter;
import dev.regshim.plan.FleetPlan;
import dev.regshim.plan.HostClass;
import dev.regshim.plan.HostView;
import dev.regshim.plan.Matrix;
import dev.regshim.plan.PlanEntry;
import dev.regshim.regs.RegSet;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Text rendering of a {@link FleetPlan}; shared by {@code plan} and {@code demo}. */
final class PlanReport {

    static final String ARROW = " \u2192 ";
    /** Wider fleets get a per-cell list instead of a grid. */
    static final int MAX_GRID_CLASSES = 12;
    static final int MAX_CELL_LINES = 40;
    static final String NONE = "-";
    private static final String DIAGONAL = "\u00b7";
    private static final String NAME_SLOT = "\u0000";
    /** More registers than this in one row are shown as a range with a count. */
    private static final int GROUP_NAMES = 3;

    private PlanReport() {
    }

    static void header(PrintWriter out, FleetPlan p) {
        out.printf("regshim plan: %d hosts in %d classes, %s, %s (%s), accelerator %s%n", p.fleet().hosts().size(),
                p.classes().size(), p.settings().machine(), p.semantics().label(), p.semantics().description(),
                p.settings().accel().label());
        out.println("baseline: " + p.baseline().why());
    }

    static void hosts(PrintWriter out, FleetPlan p) {
        out.println("host classes (hosts with identical profiles) and what the lists do on them:");
        TextTable t = new TextTable("  ").row("class", "hosts", "profile", "cpregs", "sends", "hidden here", "faked here");
        for (HostView v : p.views()) {
            HostClass c = p.classes().get(v.classIndex());
            t.row(c.label(), c.size() == 1 ? c.hostNames() : c.size() + ": " + c.hostNames(), c.describe(), Integer.toString(c.regs().size()),
                    Integer.toString(v.sends()), shortNames(v.hiddenHere()), shortNames(v.fakedHere()));
        }
        t.print(out);
    }

    /** Up to four names, else three and how many more. */
    private static String shortNames(RegSet set) {
        if (set.isEmpty()) {
            return NONE;
        }
        int shown = 3;
        if (set.size() <= shown + 1) {
            return CompatEmitter.names(set);
        }
        return CompatEmitter.names(RegSet.of(set.asList().subList(0, shown))) + " and " + (set.size() - shown) + " more";
    }

    static void entries(PrintWriter out, FleetPlan p) {
        if (p.entries().isEmpty()) {
            out.println("every host class lists the same registers: nothing to hide or fake");
            return;
        }
        out.printf("registers not every host lists (%d):%n", p.entries().size());
        TextTable t = new TextTable("  ").row("action", "register", "safety", "listed by", "why");
        // registers with the same decision and reason (the ten pointer-authentication keys) share a row
        Map<String, List<PlanEntry>> rows = new LinkedHashMap<>();
        for (PlanEntry e : p.entries()) {
            String why = e.classification().reason().replace(e.name(), NAME_SLOT)
                    + (e.condition() != null ? "; condition: " + e.condition() : "")
                    + (e.classification().remedy() != null ? "; do instead: " + e.classification().remedy() : "");
            rows.computeIfAbsent(e.action() + "|" + e.safety() + "|" + e.listedBy() + "|" + why, k -> new ArrayList<>()).add(e);
        }
        for (Map.Entry<String, List<PlanEntry>> row : rows.entrySet()) {
            List<PlanEntry> es = row.getValue();
            PlanEntry e = es.get(0);
            String why = row.getKey().substring(row.getKey().lastIndexOf('|') + 1)
                    .replace(NAME_SLOT, es.size() == 1 ? e.name() : "them");
            String names = es.size() <= GROUP_NAMES ? es.stream().map(PlanEntry::name).collect(Collectors.joining(", "))
                    : es.get(0).name() + " ... " + es.get(es.size() - 1).name() + " (" + es.size() + ")";
            t.row(e.action().label(), names, e.safety().label(), labels(p, e.listedBy()), why);
        }
        t.print(out);
    }

    static String labels(FleetPlan p, List<Integer> idx) {
        int shown = 3;
        String s = idx.stream().limit(shown).map(i -> p.classes().get(i).label()).collect(Collectors.joining(", "));
        return idx.size() > shown ? s + " +" + (idx.size() - shown) : s;
    }

    /** The grid (small fleets) and one line per direction that does not simply load. */
    static void matrix(PrintWriter out, FleetPlan p, Matrix m, String name) {
        out.printf("%s (%s): %d load, %d conditional, %d lose state, %d fail%n", name, m.title(), m.count(CellVerdict.LOADS),
                m.count(CellVerdict.CONDITIONAL), m.count(CellVerdict.LOSS), m.count(CellVerdict.FAILS));
        List<HostClass> cs = p.classes();
        if (cs.size() <= MAX_GRID_CLASSES) {
            TextTable t = new TextTable("  ");
            List<String> head = new ArrayList<>();
            head.add("from \\ to");
            cs.forEach(c -> head.add(c.label()));
            t.row(head.toArray(new String[0]));
            for (HostClass from : cs) {
                List<String> row = new ArrayList<>();
                row.add(from.label());
                for (HostClass to : cs) {
                    Cell c = m.cell(from.index(), to.index());
                    row.add(c == null ? DIAGONAL : c.verdict().shortText());
                }
                t.row(row.toArray(new String[0]));
            }
            t.print(out);
        }
        List<Cell> notable = m.cells().filter(c -> c.verdict() != CellVerdict.LOADS).collect(Collectors.toList());
        TextTable t = new TextTable("  ");
        int lines = 0;
        for (Cell c : notable) {
            if (lines++ == MAX_CELL_LINES) {
                break;
            }
            t.row(cs.get(c.from()).label() + ARROW + cs.get(c.to()).label(), c.verdict().shortText(), detail(c));
            if (!c.fix().isEmpty()) {
                t.row("", "", "fix: " + c.fix());
            }
        }
        t.print(out);
        if (notable.size() > MAX_CELL_LINES) {
            out.printf("  ... %d more (--json or --html for all)%n", notable.size() - MAX_CELL_LINES);
        }
    }

    private static String detail(Cell c) {
        if (c.verdict() == CellVerdict.CONDITIONAL) {
            return String.join(" and ", c.conditions());
        }
        if (c.verdict() == CellVerdict.LOSS) {
            return c.headline() + ": " + String.join("; ", c.problems());
        }
        String problems = String.join("; ", c.problems());
        return problems.equals(c.headline()) || problems.isEmpty() ? c.headline() : c.headline() + " (" + problems + ")";
    }

    static void chains(PrintWriter out, FleetPlan p) {
        ChainReport r = p.chains();
        if (!r.enumerated()) {
            out.printf("chains: %d paths, too many to enumerate (more than %d classes)%n", r.paths(), p.classes().size());
            return;
        }
        if (r.paths() == 0) {
            out.println("chains: one host class, no chains");
            return;
        }
        out.printf("chains: %d paths A%sB%sC over the classes, each hop's stream derived from the VM's state after the last:%n",
                r.paths(), ARROW, ARROW);
        out.printf("  %d load at both hops, %d contain a direction that already fails pairwise, %d fail only as a chain%n",
                r.pathsLoading(), r.blockedByPairs(), r.chainOnly());
        out.printf("  (%d second hops run on a derived state; %d first-hop states equal a fresh start there, pairwise results reused)%n",
                r.modelRuns(), r.reused());
        for (ChainReport.Event e : r.events()) {
            out.println("  - " + brief(p, e) + " [" + e.paths() + " path(s)]");
        }
    }

    /** One line per chain event; the register's classification is in the entries table. */
    private static String brief(FleetPlan p, ChainReport.Event e) {
        if (e.kind() != ChainReport.Kind.DROPPED_THEN_RESET) {
            return e.text();
        }
        List<HostClass> cs = p.classes();
        String a = cs.get(e.example().get(0)).label(), b = cs.get(e.example().get(1)).label(), c = cs.get(e.example().get(2)).label();
        return e.name() + ": " + a + ARROW + b + ARROW + c + " drops it at " + b + ", " + c + " re-creates it from its reset value ("
                + e.safety().label() + ")";
    }

    static void verdict(PrintWriter out, FleetPlan p) {
        if (p.accepted()) {
            long conditional = p.after().count(CellVerdict.CONDITIONAL);
            out.println("verdict: ACCEPTED: every direction loads after the plan"
                    + (conditional > 0 ? " (" + conditional + " only while its condition holds)" : "") + ", and every chain holds");
            return;
        }
        out.printf("verdict: NOT ACCEPTED (%d problem(s)):%n", p.rejections().size());
        p.rejections().stream().limit(MAX_CELL_LINES).forEach(r -> out.println("  - " + r));
        if (p.rejections().size() > MAX_CELL_LINES) {
            out.printf("  ... %d more%n", p.rejections().size() - MAX_CELL_LINES);
        }
    }
}
