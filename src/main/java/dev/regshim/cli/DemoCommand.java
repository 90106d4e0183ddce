package dev.regshim.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.regshim.demo.SeedStory;
import dev.regshim.demo.SeedStory.Blocker;
import dev.regshim.demo.SeedStory.Migration;
import dev.regshim.kernel.KernelRegList;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code regshim demo}: the seed story on embedded data. All logic is in {@link SeedStory}; this only prints. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The seed story on embedded data: which migrations between kernels 6.12, 6.13 and 6.17 fail, and why.")
public final class DemoCommand implements Callable<Integer> {

    private static final String ARROW = " \u2192 ";

    @Spec
    CommandSpec spec;
    @Option(names = "--json", description = "JSON output")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        SeedStory.Result r = SeedStory.run();
        if (json) {
            Json.print(out, json(r));
            return Main.EXIT_OK;
        }
        out.println("regshim demo: KVM hosts on three kernels, same CPU (no FEAT_TCR2, no FEAT_S1PIE),");
        out.println("vCPUs with PMU and without SVE/pointer-auth/MTE/nested virt. Computed from the embedded kernel tables.");
        out.println();
        TextTable hosts = new TextTable("  ").row("kernel", "KVM_GET_REG_LIST", "QEMU cpreg list");
        for (KernelRegList h : r.hosts()) {
            hosts.row(KernelCommand.label(h), Integer.toString(h.size()), Integer.toString(h.cpregs().size()));
        }
        hosts.print(out);
        out.println();
        out.println("Rule \u2014 " + r.rule().replace("; ", ";" + System.lineSeparator()) + ".");
        out.println();
        TextTable pairs = new TextTable("  ").row("migration", "result");
        for (Migration m : r.migrations()) {
            pairs.row(m.source().version() + ARROW + m.destination().version(),
                    m.loads() ? "loads" : "FAILS: " + m.blockers().stream().map(Blocker::name).collect(Collectors.joining(", ")));
        }
        pairs.print(out);
        out.println();
        out.println("Why:");
        for (Map.Entry<RegId, List<Migration>> e : r.blockersByRegister().entrySet()) {
            RegId id = e.getKey();
            out.println("  " + RegCatalog.get().name(id) + " (" + id.hex() + ")");
            Migration first = e.getValue().get(0);
            Blocker b = first.blockers().stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
            out.println("    listed on " + versions(e.getValue(), true) + ": " + b.sourceWhy());
            for (Migration m : e.getValue().stream().filter(distinctDestinations()).collect(Collectors.toList())) {
                Blocker mb = m.blockers().stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
                out.println("    missing on " + m.destination().version() + ": " + mb.destinationWhy());
            }
        }
        out.println();
        out.printf("%d of %d directions fail.%n", r.failures().size(), r.migrations().size());
        out.println("Note: this is the set rule. QEMU's loader also rejects an incoming cpreg array longer than its own");
        out.println("(cpreg_vmstate_array_len) and skips unknown IDs that sort after its last own ID (as BMAP_2 does),");
        out.println("which would drop that register's value silently instead of failing.");
        out.flush();
        return Main.EXIT_OK;
    }

    private static java.util.function.Predicate<Migration> distinctDestinations() {
        java.util.Set<String> seen = new java.util.HashSet<>();
        return m -> seen.add(m.destination().spec());
    }

    private static String versions(List<Migration> ms, boolean sources) {
        return ms.stream().map(m -> (sources ? m.source() : m.destination()).version().toString())
                .distinct().collect(Collectors.joining(", "));
    }

    private static ObjectNode json(SeedStory.Result r) {
        ObjectNode o = Json.object();
        o.put("rule", r.rule());
        ArrayNode hosts = o.putArray("hosts");
        r.hosts().forEach(h -> hosts.add(KernelCommand.hostJson(h)));
        ArrayNode ms = o.putArray("migrations");
        for (Migration m : r.migrations()) {
            ObjectNode n = ms.addObject();
            n.put("source", m.source().spec()).put("destination", m.destination().spec()).put("loads", m.loads());
            ArrayNode bs = n.putArray("blockers");
            for (Blocker b : m.blockers()) {
                bs.addObject().put("id", b.id().hex()).put("name", b.name())
                        .put("why_on_source", b.sourceWhy()).put("why_not_on_destination", b.destinationWhy());
            }
        }
        return o;
    }
}
