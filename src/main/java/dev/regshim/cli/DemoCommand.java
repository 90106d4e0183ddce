package dev.regshim.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.regshim.demo.SeedStory;
import dev.regshim.kernel.KernelRegList;
import dev.regshim.plan.Action;
import dev.regshim.plan.Cell;
import dev.regshim.plan.CellVerdict;
import dev.regshim.plan.ChainReport;
import dev.regshim.plan.CompatEmitter;
import dev.regshim.plan.FleetPlan;
import dev.regshim.plan.HostClass;
import dev.regshim.plan.HtmlReport;
import dev.regshim.plan.Matrix;
import dev.regshim.plan.PlanEntry;
import dev.regshim.plan.PlanJson;
import dev.regshim.plan.Safety;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code regshim demo}: the seed story on embedded data. All logic is in {@link SeedStory}; this only prints. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The seed story on embedded data: which migrations between KVM hosts on kernels 6.12, 6.13, 6.17 and 7.3",
            "fail under stock QEMU and why, the plan that fixes them (series v1 and v2) or what QEMU 11.1 does, and the",
            "matrix after the plan, all from regshim's model of QEMU's cpreg load."})
public final class DemoCommand implements Callable<Integer> {

    private static final String ARROW = PlanReport.ARROW;
    private static final String INDENT = "  ";

    @Spec
    CommandSpec spec;
    @Option(names = "--json", description = "JSON output")
    boolean json;
    @Option(names = "--html", paramLabel = "FILE", description = "also write the HTML report of the series-v1 plan")
    Path html;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        SeedStory.Result r = SeedStory.run();
        if (html != null) {
            PlanCommand.writeReport(html, HtmlReport.render(r.v1()));
        }
        if (json) {
            Json.print(out, json(r));
            return Main.EXIT_OK;
        }
        FleetPlan v1 = r.v1();
        out.println("regshim demo: four KVM hosts with the same CPU (no FEAT_TCR2, no FEAT_S1PIE), vCPUs with PMU and");
        out.println("without SVE/pointer-auth/MTE/nested virt. Register lists from the embedded kernel tables; verdicts from");
        out.println("regshim's model of QEMU's cpreg load.");
        out.println();
        TextTable hosts = new TextTable(INDENT).row("host", "kernel", "KVM_GET_REG_LIST", "QEMU cpreg list");
        for (int i = 0; i < r.hosts().size(); i++) {
            KernelRegList h = r.hosts().get(i);
            hosts.row(r.fleet().hosts().get(i).name(), KernelCommand.label(h), Integer.toString(h.size()),
                    Integer.toString(h.cpregs().size()));
        }
        hosts.print(out);

        out.println();
        out.println("1. Today: stock QEMU (7.2-11.0), machine virt-10.1");
        directions(out, v1, r.stock());
        out.println();
        out.println(INDENT + "Why the lists differ:");
        for (PlanEntry e : v1.entries()) {
            out.println(INDENT + INDENT + e.name() + ": " + reasons(v1, e));
        }

        out.println();
        out.println("2. The plan (regshim plan): baseline " + v1.classes().get(v1.baseline().classIndex()).label()
                + ", the oldest kernel; newer kernels are made to look like it");
        TextTable plan = new TextTable(INDENT + INDENT);
        for (Action a : List.of(Action.FAKE, Action.HIDE)) {
            for (Safety s : Safety.values()) {
                List<PlanEntry> group = v1.entries().stream().filter(e -> e.action() == a && e.safety() == s)
                        .collect(Collectors.toList());
                if (!group.isEmpty()) {
                    plan.row(a.label(), group.stream().map(PlanEntry::name).collect(Collectors.joining(", ")),
                            a == Action.FAKE ? "where missing" : "everywhere",
                            s.label() + (s == Safety.CONDITIONAL ? ": while " + group.stream().map(PlanEntry::condition)
                                    .distinct().collect(Collectors.joining(" and ")) : ""));
                }
            }
        }
        plan.print(out);
        out.println(INDENT + "series-v1, on every host (the seed's DO-NOT-UPSTREAM virt-10.1 compat has the same lists):");
        CompatEmitter.globalArgs(v1).stream().filter(a -> !a.equals("-global"))
                .forEach(a -> out.println(INDENT + INDENT + "-global " + a));
        out.println(INDENT + "series-v2, the same lists under the x-mig names (every ARM CPU, TCG too):");
        CompatEmitter.globalArgs(r.v2()).stream().filter(a -> !a.equals("-global"))
                .forEach(a -> out.println(INDENT + INDENT + "-global " + a));
        FleetPlan q = r.qemu111();
        out.println(INDENT + "qemu-11.1 has no such properties; its built-in tolerances cover "
                + q.entries(Action.BUILT_IN).stream().map(e -> e.name() + (e.condition() == null ? "" : " (while it is 0)"))
                .collect(Collectors.joining(", "))
                + (q.entries(Action.NOT_COVERED).isEmpty() ? "" : "; not covered: "
                + q.entries(Action.NOT_COVERED).stream().map(PlanEntry::name).collect(Collectors.joining(", "))) + ".");

        out.println();
        out.println("3. After: series-v1 with the plan");
        directions(out, v1, v1.after());
        ChainReport c = v1.chains();
        out.printf("%schains: %d of %d paths A%sB%sC load at both hops, %d fail only as a chain%n", INDENT,
                c.pathsLoading(), c.paths(), ARROW, ARROW, c.chainOnly());
        String reset = c.events().stream().filter(e -> e.kind() == ChainReport.Kind.DROPPED_THEN_RESET)
                .map(ChainReport.Event::name).distinct().collect(Collectors.joining(", "));
        if (!reset.isEmpty()) {
            boolean allSafe = c.events().stream().filter(e -> e.kind() == ChainReport.Kind.DROPPED_THEN_RESET)
                    .allMatch(e -> e.safety() == Safety.SAFE);
            out.println(INDENT + "(" + reset + " dropped at one hop come back with the next host's reset value"
                    + (allSafe ? ": all a guest without the feature ever had)" : ")"));
        }
        out.println();
        for (FleetPlan p : r.plans()) {
            Matrix a = p.after();
            out.printf("%-10s %s: %d of %d directions load%s%n", p.semantics().label(), p.accepted() ? "accepted" : "NOT accepted",
                    a.count(CellVerdict.LOADS) + a.count(CellVerdict.CONDITIONAL), a.cells().count(),
                    a.count(CellVerdict.CONDITIONAL) == 0 ? "" : " (" + a.count(CellVerdict.CONDITIONAL) + " only while "
                            + String.join(" and ", a.cells().filter(x -> x.verdict() == CellVerdict.CONDITIONAL)
                            .flatMap(x -> x.conditions().stream()).distinct().collect(Collectors.toList())) + ")");
        }
        Matrix s = r.stock();
        out.printf("stock QEMU, before: %d of %d directions fail, %d loses state silently.%n", s.count(CellVerdict.FAILS),
                s.cells().count(), s.count(CellVerdict.LOSS));
        if (html != null) {
            out.println("HTML report: " + html);
        }
        out.flush();
        return Main.EXIT_OK;
    }

    private static void directions(PrintWriter out, FleetPlan p, Matrix m) {
        TextTable t = new TextTable(INDENT).row("migration", "result", "");
        for (HostClass from : p.classes()) {
            for (HostClass to : p.classes()) {
                Cell c = m.cell(from.index(), to.index());
                if (c == null || from == to) {
                    continue;
                }
                t.row(from.label() + ARROW + to.label(), c.verdict().shortText(), detail(c));
            }
        }
        t.print(out);
    }

    private static String detail(Cell c) {
        switch (c.verdict()) {
            case FAILS:
                return c.headline() + ": " + String.join("; ", c.problems());
            case LOSS:
                return "loads, but " + String.join("; ", c.problems());
            case CONDITIONAL:
                return String.join(" and ", c.conditions());
            default:
                return c.headline().equals("loads") ? "" : c.headline().replaceFirst("^loads; ", "");
        }
    }

    /** {@code listed by 6.12 (why); missing on 6.13 (why)}, one reason per distinct text. */
    private static String reasons(FleetPlan p, PlanEntry e) {
        StringBuilder b = new StringBuilder();
        appendWhy(b, p, e, e.listedBy(), "listed by ");
        b.append("; ");
        appendWhy(b, p, e, e.missingFrom(), "not by ");
        return b.toString();
    }

    private static void appendWhy(StringBuilder b, FleetPlan p, PlanEntry e, List<Integer> classes, String prefix) {
        Map<String, List<String>> byWhy = new LinkedHashMap<>();
        for (int c : classes) {
            // drop what differs only by the host's own name, so that hosts with one reason share a line
            String why = p.why(e, c).orElse("?").replaceAll("; [0-9.]+\\+\\S+ lacks .*$", "")
                    .replaceAll("^not in KVM [0-9.]+ \\((.*)\\)$", "$1");
            byWhy.computeIfAbsent(why, k -> new ArrayList<>()).add(p.classes().get(c).label());
        }
        b.append(prefix).append(byWhy.entrySet().stream().map(x -> String.join(", ", x.getValue()) + " (" + x.getKey() + ")")
                .collect(Collectors.joining(", ")));
    }

    private static ObjectNode json(SeedStory.Result r) {
        ObjectNode o = Json.object();
        var hosts = o.putArray("hosts");
        for (int i = 0; i < r.hosts().size(); i++) {
            ObjectNode h = KernelCommand.hostJson(r.hosts().get(i));
            h.put("name", r.fleet().hosts().get(i).name());
            hosts.add(h);
        }
        ObjectNode plans = o.putObject("plans");
        for (FleetPlan p : r.plans()) {
            plans.set(p.semantics().label(), PlanJson.plan(p));
        }
        return o;
    }
}
