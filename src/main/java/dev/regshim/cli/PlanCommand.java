package dev.regshim.cli;

import dev.regshim.RegshimException;
import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.Semantics;
import dev.regshim.plan.CompatEmitter;
import dev.regshim.plan.Fleet;
import dev.regshim.plan.FleetPlan;
import dev.regshim.plan.FleetPlanner;
import dev.regshim.plan.HtmlReport;
import dev.regshim.plan.MachineType;
import dev.regshim.plan.PlanJson;
import dev.regshim.plan.PlanSettings;
import dev.regshim.policy.InertRule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code regshim plan}: hidden / fake lists for a fleet, verified with the model, in the forms QEMU and libvirt take. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Plan the hidden and fake (safe-missing) register lists a fleet needs so that VMs of one machine type",
            "migrate in every direction, classify every register (safe / conditional / unsafe), verify the plan with the",
            "model (every host class pair before and after, and every chain of three), and emit it as QEMU options, a",
            "libvirt XML fragment, a C compat array or JSON. Exit 0 accepted, 1 not accepted, 2 input error."})
public final class PlanCommand implements Callable<Integer> {

    static final List<String> FORMS = List.of("qemu", "libvirt", "c", "json");
    /** Bounds for a --fleet file (untrusted input). */
    static final long MAX_FLEET_FILE_BYTES = 16L << 20;
    static final int MAX_HOSTS = 1_000_000;

    @Spec
    CommandSpec spec;

    @Option(names = "--host", paramLabel = "NAME=PROFILE",
            description = "a host and its profile (kernel:6.13+pmu, a stream, a profile JSON, a list file); repeat")
    List<String> hosts = new ArrayList<>();

    @Option(names = "--fleet", paramLabel = "FILE",
            description = "NAME=PROFILE lines (# comments), added to --host ('-' reads standard input)")
    String fleetFile;

    /** Used when no --machine is given and the profiles do not agree on one. */
    static final String DEFAULT_MACHINE = "virt-10.1";

    @Option(names = "--machine", paramLabel = "virt-X.Y",
            description = "the machine type the lists belong to (default: the one every host profile records, "
                    + "else " + DEFAULT_MACHINE + ")")
    String machine;

    static final String DEFAULT_BASELINE = "auto";
    static final String DEFAULT_SEMANTICS = "series-v1";

    @Option(names = "--baseline", paramLabel = "NAME|auto", defaultValue = DEFAULT_BASELINE,
            description = "the host whose guests' view the machine type freezes (default: auto, the oldest kernel)")
    String baseline;

    @Option(names = "--semantics", paramLabel = "S", defaultValue = DEFAULT_SEMANTICS,
            description = "the fleet's QEMU: series-v1 | series-v2 | qemu-11.1 | qemu-stock (default: ${DEFAULT-VALUE})")
    String semantics;

    @Option(names = "--to-qemu", paramLabel = "VERSION",
            description = "the fleet's QEMU release (7.2 ... 11.1 or later): its cpreg semantics, unless --semantics "
                    + "says otherwise; 11.1 and later have tolerances but no list properties.")
    String toQemu;

    @Option(names = "--before", paramLabel = "S", description = "the QEMU of the 'before' matrix (default: --semantics, no lists)")
    String before;

    @Option(names = "--accel", paramLabel = "kvm|tcg", description = "accelerator (default: from the first host's profile)")
    String accel;

    @Option(names = "--inert", paramLabel = "REG[=VALUE]",
            description = "declare a register the guest cannot use (or only with this value); repeat")
    List<String> inert = new ArrayList<>();

    @Option(names = "--emit", split = ",", paramLabel = "FORM", defaultValue = "qemu",
            description = "configuration to print: qemu, libvirt, c, json or all (default: ${DEFAULT-VALUE})")
    List<String> emit = new ArrayList<>();

    @Option(names = {"-q", "--quiet"}, description = "print only the emitted configuration")
    boolean quiet;

    @Option(names = "--force",
            description = "emit the configuration even when the plan is not accepted, marked NOT ACCEPTED with each "
                    + "failing direction (without it a rejected plan emits nothing)")
    boolean force;

    @Option(names = "--json", description = "the whole plan as JSON")
    boolean json;

    @Option(names = "--html", paramLabel = "FILE", description = "write a self-contained HTML report")
    Path html;

    @Override
    public Integer call() {
        Set<String> forms = forms(emit);
        Fleet fleet = resolveFleet(hosts, fleetFile);
        Semantics sem = toQemu != null && !spec.commandLine().getParseResult().hasMatchedOption("--semantics")
                ? dev.regshim.cpreg.QemuRelease.parse(toQemu).cpregSemantics() : Semantics.parse(semantics);
        List<InertRule> rules = new ArrayList<>();
        inert.forEach(t -> rules.add(InertRule.parse(t)));
        FleetPlan p = FleetPlanner.plan(fleet, settings(fleet, sem, before == null ? null : Semantics.parse(before),
                accel, machine, baseline, rules));
        if (html != null) {
            writeReport(html, HtmlReport.render(p));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Json.print(out, PlanJson.plan(p));
        } else {
            if (!quiet) {
                report(out, p);
                if (html != null) {
                    out.println("HTML report: " + html);
                }
            }
            if (p.accepted() || force) {
                emitForms(out, p, forms, !quiet);
            } else {
                refuseToEmit(p, quiet);
            }
        }
        out.flush();
        return p.accepted() ? Main.EXIT_OK : Main.EXIT_DIFFERENT;
    }

    static void report(PrintWriter out, FleetPlan p) {
        PlanReport.header(out, p);
        out.println();
        PlanReport.hosts(out, p);
        out.println();
        PlanReport.entries(out, p);
        out.println();
        PlanReport.matrix(out, p, p.before(), "before");
        out.println();
        PlanReport.matrix(out, p, p.after(), "after");
        out.println();
        PlanReport.chains(out, p);
        out.println();
        PlanReport.verdict(out, p);
    }

    /** A rejected plan emits no configuration: a script piping it into a domain would deploy broken migrations. */
    private void refuseToEmit(FleetPlan p, boolean listProblems) {
        PrintWriter err = spec.commandLine().getErr();
        err.printf("regshim plan: NOT ACCEPTED (%d problem(s)): no configuration emitted; --force emits it marked NOT ACCEPTED%n",
                p.rejections().size());
        if (listProblems) { // the report, which lists them, was not printed
            p.rejections().forEach(r -> err.println("  - " + CompatEmitter.brief(r)));
        }
        err.flush();
    }

    static void emitForms(PrintWriter out, FleetPlan p, Set<String> forms, boolean headings) {
        for (String f : forms) {
            if (headings) {
                out.println();
                out.println("--- " + f + " ---");
            }
            out.print(CompatEmitter.notAcceptedComment(p, f));
            switch (f) {
                case "qemu":
                    out.print(CompatEmitter.qemu(p));
                    break;
                case "libvirt":
                    out.print(CompatEmitter.libvirt(p));
                    break;
                case "c":
                    out.print(CompatEmitter.c(p));
                    break;
                default:
                    Json.print(out, PlanJson.compat(p));
                    break;
            }
        }
    }

    static Set<String> forms(List<String> emit) {
        Set<String> out = new LinkedHashSet<>();
        for (String e : emit) {
            String f = e.trim().toLowerCase(Locale.ROOT);
            if (f.equals("all")) {
                out.addAll(FORMS);
            } else if (FORMS.contains(f)) {
                out.add(f);
            } else {
                throw new RegshimException("unknown --emit form '" + e + "'; choose qemu, libvirt, c, json or all");
            }
        }
        return out;
    }

    /** The settings of a plan: the options given, the accelerator and machine type from the profiles otherwise. */
    static PlanSettings settings(Fleet fleet, Semantics sem, Semantics before, String accel, String machine,
                                 String baseline, List<InertRule> rules) {
        Accel acc = accel != null ? Accel.parse(accel) : fleet.hosts().get(0).profile().assumedAccel();
        return new PlanSettings(sem, before, acc, MachineType.parse(machine != null ? machine
                : fleet.commonMachineType().orElse(DEFAULT_MACHINE)), baseline, rules, null);
    }

    /** The --host arguments, then the fleet file's lines; an error in a line names the file and the line. */
    static Fleet resolveFleet(List<String> hosts, String fleetFile) {
        List<String> all = new ArrayList<>(hosts);
        List<String> origins = new ArrayList<>(java.util.Collections.nCopies(hosts.size(), (String) null));
        if (fleetFile != null) {
            String where = fleetFile.equals(StdinInput.DASH) ? "standard input" : fleetFile;
            for (FleetLine l : readFleet(Path.of(StdinInput.path(fleetFile)))) {
                all.add(l.text());
                origins.add(where + " line " + l.number());
            }
            if (all.isEmpty()) {
                throw new RegshimException(fleetFile + ": no NAME=PROFILE line in the fleet file");
            }
        }
        return Fleet.resolve(all, origins::get);
    }

    /** A host line of a fleet file and its line number. */
    record FleetLine(String text, int number) {
    }

    /** What {@code plan --fleet FILE} with every other option at its default reads, resolves and plans. */
    static FleetPlan planFleetFile(String fleetFile) {
        Fleet fleet = resolveFleet(List.of(), fleetFile);
        return FleetPlanner.plan(fleet, settings(fleet, Semantics.parse(DEFAULT_SEMANTICS), null, null, null,
                DEFAULT_BASELINE, List.of()));
    }

    static List<FleetLine> readFleet(Path file) {
        try {
            if (Files.size(file) > MAX_FLEET_FILE_BYTES) {
                throw new RegshimException(file + ": fleet file larger than " + MAX_FLEET_FILE_BYTES + " bytes");
            }
            List<FleetLine> out = new ArrayList<>();
            int n = 0;
            List<String> lines;
            try (java.io.BufferedReader r = new java.io.BufferedReader(new dev.regshim.util.Utf8Reader(
                    Files.newInputStream(file), file.toString()))) {
                lines = r.lines().toList();
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            }
            for (String line : lines) {
                n++;
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                if (!t.contains("=")) {
                    throw new RegshimException(file + " line " + n + ": expected NAME=PROFILE, got '" + t + "'");
                }
                if (out.size() == MAX_HOSTS) {
                    throw new RegshimException(file + ": more than " + MAX_HOSTS + " hosts");
                }
                out.add(new FleetLine(t, n));
            }
            return out;
        } catch (IOException e) {
            throw new RegshimException("cannot read " + file + ": " + dev.regshim.util.SafeFiles.reason(e));
        }
    }

    /** Writes a report next to its final name, moves it into place and verifies it by reading it back. */
    static void writeReport(Path file, String text) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new RegshimException("cannot write " + file + ": no such directory " + dir);
        }
        try {
            writeAtomically(file, text);
        } catch (IOException e) {
            throw new RegshimException("cannot write " + file + ": " + dev.regshim.util.SafeFiles.reason(e));
        }
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        // a sibling name (not createTempFile, whose 0600 mode would stick): the report keeps the umask's mode
        Path tmp = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        if (!Files.readString(file, StandardCharsets.UTF_8).equals(text)) { // every write is verified by re-reading it
            throw new RegshimException(file + ": written, but reading it back gives different content");
        }
    }
}
