package dev.regshim.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.regshim.kernel.KernelFeature;
import dev.regshim.kernel.KernelFeatures;
import dev.regshim.kernel.KernelRegDb;
import dev.regshim.kernel.KernelRegList;
import dev.regshim.kernel.KernelVersion;
import dev.regshim.kernel.RegListing;
import dev.regshim.kernel.capture.Evidence;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegSet;
import dev.regshim.regs.RegSetDiff;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code regshim kernel}: the per-kernel KVM_GET_REG_LIST database. */
@Command(name = "kernel", mixinStandardHelpOptions = true,
        description = "Compute KVM_GET_REG_LIST per kernel version and vCPU/host features; list, show and diff it.",
        subcommands = {KernelCommand.ListVersions.class, KernelCommand.Show.class, KernelCommand.Diff.class,
                KernelCaptureCommand.class})
public final class KernelCommand implements Runnable {

    static final String SPEC_HELP = "VERSION[+feature|-feature]..., e.g. 6.13, 6.13+sve+pauth, 6.18+el2-pmu (default features: +pmu)";

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static String label(KernelRegList l) {
        return l.inferred() ? l.spec() + " (inferred)" : l.spec();
    }

    static ObjectNode hostJson(KernelRegList l) {
        ObjectNode o = Json.object();
        o.put("spec", l.spec());
        o.put("version", l.version().toString());
        o.put("inferred", l.inferred());
        ArrayNode f = o.putArray("features");
        l.features().enabled().forEach(x -> f.add(x.specName()));
        o.put("host_clidr", Json.hex(l.features().hostClidr()));
        o.put("count", l.size());
        o.put("cpreg_count", l.cpregs().size());
        return o;
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Kernel versions: where each table comes from (read from a tree, derived from real captures, "
                    + "inferred), on which real kernels and hosts it was observed, and the feature names a spec takes.")
    static final class ListVersions implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--json", description = "JSON output")
        boolean json;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            KernelFeatures defaults = KernelFeatures.defaults();
            Map<String, List<Observation>> observed = observations();
            if (json) {
                ObjectNode o = Json.object();
                ArrayNode vs = o.putArray("versions");
                for (KernelVersion v : KernelVersion.known()) {
                    ObjectNode vn = vs.addObject().put("version", v.toString()).put("inferred", v.inferred())
                            .put("table_source", v.kind().name().toLowerCase(java.util.Locale.ROOT))
                            .put("source", v.source())
                            .put("table", "sys_reg_descs-v" + v.tableVersion() + ".tsv");
                    ArrayNode d = vn.putArray("deltas");
                    v.deltas().forEach(d::add);
                    ArrayNode obs = vn.putArray("observed");
                    for (Observation ob : observed.getOrDefault(v.toString(), List.of())) {
                        ObjectNode on = obs.addObject().put("release", ob.upstream()).put("package", ob.packageName())
                                .put("package_version", ob.packageVersion()).put("suite", ob.suite());
                        ArrayNode hosts = on.putArray("hosts");
                        ob.hosts().forEach(hosts::add);
                    }
                }
                ArrayNode inf = o.putArray("inferences");
                KernelVersion.INFERENCES.forEach(inf::add);
                ArrayNode fs = o.putArray("features");
                for (KernelFeature f : KernelFeature.values()) {
                    ObjectNode n = fs.addObject().put("name", f.specName()).put("default", defaults.has(f))
                            .put("description", f.description());
                    ArrayNode al = n.putArray("aliases");
                    f.aliases().forEach(al::add);
                }
                o.put("default_host_clidr", Json.hex(KernelFeatures.DEFAULT_HOST_CLIDR));
                Json.print(out, o);
                return Main.EXIT_OK;
            }
            out.println("Kernel versions (table: read from a kernel tree, derived from real captures, or INFERRED):");
            TextTable t = new TextTable("  ").row("version", "table", "source", "observed on real kernels (regshim kernel capture)");
            for (KernelVersion v : KernelVersion.known()) {
                List<Observation> obs = observed.getOrDefault(v.toString(), List.of());
                String seen = obs.isEmpty() ? "not observed (Debian has no arm64 " + v + " kernel)" : obs.get(0).text();
                t.row(v.toString(), v.kind().label(), v.source(), seen);
                for (int i = 1; i < obs.size(); i++) {
                    t.row("", "", "", obs.get(i).text());
                }
            }
            t.print(out);
            out.println();
            out.println("The inferred version (6.15) rests on:");
            KernelVersion.INFERENCES.forEach(s -> out.println("  - " + s));
            out.println();
            out.println("Features (spec: " + SPEC_HELP + "):");
            TextTable ft = new TextTable("  ").row("feature", "default", "what it gates");
            for (KernelFeature f : KernelFeature.values()) {
                String name = f.specName() + (f.aliases().isEmpty() ? "" : " (" + String.join(", ", f.aliases()) + ")");
                ft.row(name, defaults.has(f) ? "on" : "off", f.description());
            }
            ft.row("clidr=HEX", String.format("0x%08x", KernelFeatures.DEFAULT_HOST_CLIDR),
                    "host CLIDR_EL1; only v6.1 lists DEMUX CCSIDR IDs per host cache (default: split L1 I/D + unified L2)");
            ft.print(out);
            out.flush();
            return Main.EXIT_OK;
        }
    }

    /** The captures of one point release: its package and the hosts it was captured on. */
    record Observation(String upstream, String packageName, String packageVersion, String suite, List<String> hosts) {
        String text() {
            return upstream + " (" + (packageName == null ? "Image file" : packageName + " " + packageVersion
                    + ", " + suite) + ") on " + String.join(", ", hosts);
        }
    }

    /** Committed evidence by series ("7.3"), each point release once with every host it was captured on. */
    static Map<String, List<Observation>> observations() {
        Map<String, Map<String, Observation>> bySeries = new java.util.TreeMap<>();
        for (Evidence.Row e : Evidence.index()) {
            Map<String, Observation> releases = bySeries.computeIfAbsent(e.series(), x -> new java.util.LinkedHashMap<>());
            Observation o = releases.computeIfAbsent(e.upstream(), x -> new Observation(e.upstream(), e.packageName(),
                    e.packageVersion(), e.suite(), new java.util.ArrayList<>()));
            o.hosts().add(e.host());
        }
        Map<String, List<Observation>> out = new java.util.HashMap<>();
        bySeries.forEach((k, v) -> out.put(k, List.copyOf(v.values())));
        return out;
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "The register list of a kernel spec, with the reason each register is listed.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "SPEC", description = SPEC_HELP)
        String hostSpec;
        @Option(names = "--json", description = "JSON output")
        boolean json;
        @Option(names = "--cpreg-only", description = "only what QEMU keeps in its cpreg list (no core, no SVE)")
        boolean cpregOnly;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            KernelRegList l = KernelRegDb.parseSpec(hostSpec);
            RegSet shown = cpregOnly ? l.cpregs() : l.regs();
            if (json) {
                ObjectNode o = hostJson(l);
                o.put("cpreg_only", cpregOnly);
                ArrayNode regs = o.putArray("registers");
                for (RegId id : shown) {
                    RegListing r = l.listing(id).orElseThrow();
                    regs.add(RegFormat.json(id).put("component", r.component().label()).put("source", r.table())
                            .put("visibility", r.visibility()).put("condition", r.condition()).put("note", r.note())
                            .put("inferred", r.inferred()).put("in_qemu_cpreg_list", id.syncsViaCpregList()));
                }
                Json.print(out, o);
                return Main.EXIT_OK;
            }
            out.printf("kernel %s: %d registers in KVM_GET_REG_LIST, %d in QEMU's cpreg list%s%n", label(l), l.size(),
                    l.cpregs().size(), cpregOnly ? " (showing the cpreg list)" : "");
            if (l.inferred()) {
                out.println("INFERRED: " + l.version() + " was not read from a kernel tree (" + l.version().source()
                        + "); see 'regshim kernel list'");
            } else {
                List<Observation> seen = observations().getOrDefault(l.version().toString(), List.of());
                out.println("table: " + l.version().source() + (seen.isEmpty() ? "; not observed on a real kernel"
                        : "; observed on " + seen.stream().map(o -> o.upstream() + " (" + o.hosts().size() + " hosts)")
                        .collect(java.util.stream.Collectors.joining(", "))));
            }
            if (l.host().hidesPoe()) {
                out.println("note: " + l.host().release() + " built without CONFIG_ARM64_POE hides FEAT_S1POE from guests: "
                        + "POR_EL0/POR_EL1 are not listed");
            }
            RegCatalog cat = RegCatalog.get();
            TextTable t = new TextTable("  ");
            for (RegId id : shown) {
                String enc = cat.encoding(id);
                String name = cat.name(id);
                t.row(id.hex(), name, enc.equals(name) ? "" : enc, l.listing(id).map(RegListing::why).orElse(""));
            }
            t.print(out);
            return Main.EXIT_OK;
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = "Name every register only one of two kernel specs lists. Exit 1 when they differ.")
    static final class Diff implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "SPEC_A", description = SPEC_HELP)
        String specA;
        @Parameters(index = "1", paramLabel = "SPEC_B")
        String specB;
        @Option(names = "--json", description = "JSON output")
        boolean json;
        @Option(names = "--cpreg-only", description = "compare only QEMU's cpreg lists (no core, no SVE)")
        boolean cpregOnly;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            KernelRegList a = KernelRegDb.parseSpec(specA);
            KernelRegList b = KernelRegDb.parseSpec(specB);
            RegSetDiff d = cpregOnly ? a.cpregs().diff(b.cpregs()) : a.regs().diff(b.regs());
            if (json) {
                ObjectNode o = Json.object();
                o.set("a", hostJson(a));
                o.set("b", hostJson(b));
                o.put("cpreg_only", cpregOnly);
                o.put("common", d.common().size());
                o.set("only_in_a", side(d.onlyLeft(), a, b));
                o.set("only_in_b", side(d.onlyRight(), b, a));
                Json.print(out, o);
            } else {
                out.printf("kernel %s: %d registers, kernel %s: %d registers, %d in both%s%n", label(a),
                        (cpregOnly ? a.cpregs() : a.regs()).size(), label(b), (cpregOnly ? b.cpregs() : b.regs()).size(),
                        d.common().size(), cpregOnly ? " (cpreg lists)" : "");
                printSide(out, a, b, d.onlyLeft());
                printSide(out, b, a, d.onlyRight());
                if (d.isEmpty()) {
                    out.println("the lists are identical");
                }
                out.flush();
            }
            return d.isEmpty() ? Main.EXIT_OK : Main.EXIT_DIFFERENT;
        }

        private static ArrayNode side(RegSet only, KernelRegList has, KernelRegList lacks) {
            ArrayNode arr = Json.MAPPER.createArrayNode();
            for (RegId id : only) {
                arr.add(RegFormat.json(id).put("why_listed", has.listing(id).map(RegListing::why).orElse(""))
                        .put("why_not_listed_in_other", KernelRegDb.explain(lacks.host(), id)));
            }
            return arr;
        }

        private static void printSide(PrintWriter out, KernelRegList has, KernelRegList lacks, RegSet only) {
            if (only.isEmpty()) {
                return;
            }
            out.printf("only in %s (%d):%n", label(has), only.size());
            for (RegId id : only) {
                out.println("  " + RegFormat.row(id));
                out.println("      " + has.version() + ": " + has.listing(id).map(RegListing::why).orElse(""));
                out.println("      " + lacks.version() + ": " + KernelRegDb.explain(lacks.host(), id));
            }
        }
    }
}
