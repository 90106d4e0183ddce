package dev.regshim.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.regshim.check.CheckResult;
import dev.regshim.check.Fix;
import dev.regshim.check.Fixes;
import dev.regshim.check.MigrationCheck;
import dev.regshim.check.VcpuCheck;
import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.CpuLoadOutcome;
import dev.regshim.cpreg.LoadSettings;
import dev.regshim.cpreg.QemuMessages;
import dev.regshim.cpreg.RegIssue;
import dev.regshim.cpreg.Semantics;
import dev.regshim.cpreg.ValueConflict;
import dev.regshim.policy.RewriteAdvice;
import dev.regshim.profile.Profile;
import dev.regshim.profile.source.ProfileSources;
import dev.regshim.profile.source.StreamProfileSource;
import dev.regshim.stream.ReadOptions;
import dev.regshim.stream.container.SaveImage;
import dev.regshim.stream.container.StreamFiles;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegParser;
import dev.regshim.regs.RegSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code regshim check --from SRC --to DST}: predicts whether QEMU loads SRC's vCPU state on DST, and why not. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Predict whether the destination QEMU loads the source's vCPU state, print the exact lines QEMU",
            "would print, name every unexpected and missing register, decode value conflicts, and propose fixes.",
            "SRC and DST: a migration stream or libvirt save image, a profile JSON, a register list file, or",
            "kernel:VERSION[+feature...]. Exit 0 loads, 1 fails, 2 input error."})
public final class CheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--from", required = true, paramLabel = "SRC", description = "source profile ('-' reads standard input)")
    String from;

    @Option(names = "--to", required = true, paramLabel = "DST", description = "destination profile ('-' reads standard input)")
    String to;

    @Option(names = "--semantics", paramLabel = "S", defaultValue = Semantics.AUTO,
            description = "auto | qemu-stock | series-v1 | series-v2 | qemu-11.1 (default: ${DEFAULT-VALUE}: qemu-11.1 "
                    + "when the destination profile's QEMU is 11.1 or later, else qemu-stock)")
    String semantics;

    @Option(names = "--accel", paramLabel = "tcg|kvm",
            description = "destination accelerator (default: from the destination profile)")
    String accel;

    @picocli.CommandLine.Mixin
    ToQemuOption toQemu = new ToQemuOption();

    @Option(names = {"--hide", "--hidden"}, split = ",", paramLabel = "REG",
            description = "registers hidden on both ends (kvm-hidden-regs / x-mig-hidden-regs); --hidden is the old name")
    List<String> hidden = new ArrayList<>();

    @Option(names = {"--fake", "--safe-missing"}, split = ",", paramLabel = "REG",
            description = "registers the destination accepts and drops (kvm-enforced-regs / x-mig-safe-missing-regs)")
    List<String> fake = new ArrayList<>();

    @Option(names = {"-v", "--verbose"}, description = "list every register of each finding (default: counts and the first names)")
    boolean verbose;

    @Option(names = "--trace", description = "also print the trace lines the series would emit")
    boolean trace;

    @Option(names = "--json", description = "JSON output")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "no progress bar on standard error")
    boolean quiet;

    @Override
    public Integer call() {
        String[] files = StdinInput.paths(from, to);
        Profile src = profile(files[0], "check: reading source");
        Profile dst = profile(files[1], "check: reading destination");
        Accel acc = accel != null ? Accel.parse(accel) : dst.assumedAccel();
        dev.regshim.cpreg.DestinationRelease release = toQemu.resolve(dst);
        LoadSettings settings = new LoadSettings(Semantics.resolve(semantics, release), acc, regs(hidden), regs(fake),
                release);
        CheckResult r = MigrationCheck.run(src, dst, settings, dst.kvmValueRule());
        java.util.Optional<RewriteAdvice.Advice> advice = r.loads() ? java.util.Optional.empty()
                : RewriteAdvice.advise(src, dst, settings);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = CheckReport.json(src, dst, r);
            advice.ifPresent(a -> {
                ObjectNode an = o.putObject("rewrite");
                an.put("possible", a.policy().isPresent());
                a.policy().ifPresent(p -> an.put("policy", p.label()));
                an.put("advice", a.text());
            });
            Json.print(out, o);
        } else {
            CheckReport.print(out, src, dst, r, trace, accel == null,
                    Semantics.AUTO.equalsIgnoreCase(semantics.trim()) ? "auto: " + release.describe() : null, verbose);
            advice.ifPresent(a -> out.println((r.fixes().isEmpty() ? "\nfixes:\n" : "") + "  - rewrite: " + a.text()));
            out.flush();
        }
        return r.loads() ? Main.EXIT_OK : Main.EXIT_DIFFERENT;
    }

    /** A stream or save image is read with the progress bar (a terminal, a long input, no -q); others resolve as usual. */
    private Profile profile(String spec, String task) {
        Path p = Path.of(spec);
        if (!StreamFiles.looksLikeStream(p)) {
            return ProfileSources.resolve(spec);
        }
        long size;
        try {
            size = SaveImage.open(p).kind() == SaveImage.Kind.QEMU_STREAM ? Files.size(p) : -1; // else: bytes decompressed
        } catch (IOException e) {
            throw new dev.regshim.RegshimException("cannot read " + spec + ": " + dev.regshim.util.SafeFiles.reason(e), e);
        }
        try (Progress progress = Progress.start(task, size, quiet)) {
            return new StreamProfileSource().load(spec, ReadOptions.defaults().withProgress(progress.consumer()));
        }
    }

    static RegSet regs(List<String> texts) {
        List<RegId> ids = new ArrayList<>();
        for (String t : texts) {
            if (!t.isBlank()) {
                ids.add(RegParser.parse(t));
            }
        }
        return RegSet.of(ids);
    }

    /** KVM lists carry firmware registers; TCG lists carry AArch32 views. */
    /** Text and JSON rendering of a check result; shared with other commands that print verdicts. */
    public static final class CheckReport {

        /** Findings with more registers than this are summarised unless --verbose. */
        static final int BRIEF_ROWS = 8;

        private CheckReport() {
        }

        /** @param semanticsNote why these semantics (when picked automatically), or null */
        public static void print(PrintWriter out, Profile src, Profile dst, CheckResult r, boolean trace, boolean accelGuessed,
                                 String semanticsNote) {
            print(out, src, dst, r, trace, accelGuessed, semanticsNote, true);
        }

        /** @param verbose every register of each finding; otherwise a count and the first names */
        public static void print(PrintWriter out, Profile src, Profile dst, CheckResult r, boolean trace, boolean accelGuessed,
                                 String semanticsNote, boolean verbose) {
            LoadSettings s = r.settings();
            out.println("from: " + src.provenance().summary());
            out.println("to:   " + dst.provenance().summary());
            out.println("model: " + s.semantics().label() + " (" + s.semantics().description() + "), accelerator "
                    + s.accel().label() + (accelGuessed ? " (from the destination profile; --accel to override)" : ""));
            if (semanticsNote != null) {
                out.println("       (" + semanticsNote + ")");
            } else if (s.destination().known()) {
                out.println("release: " + s.destination().describe());
            }
            s.destination().contradiction().ifPresent(c -> out.println("warning: " + c));
            if (!s.hidden().isEmpty()) {
                out.println("hidden: " + names(s.hidden()));
            }
            if (!s.fake().isEmpty()) {
                out.println((s.semantics() == Semantics.SERIES_V1 ? "enforced/fake: " : "safe-missing: ") + names(s.fake()));
            }
            out.println();
            List<String> conds = r.conditions();
            out.println(r.loads() ? (conds.isEmpty() ? "verdict: LOADS" : "verdict: LOADS only while " + String.join(" and ", conds))
                    : "verdict: FAILS (" + stageText(r) + ")");
            List<String> causes = CheckCauses.of(src, r);
            if (!causes.isEmpty()) {
                out.println(causes.size() == 1 ? "cause:" : "causes:");
                causes.forEach(c -> out.println("  - " + c));
            }
            if (!r.qemuLines().isEmpty()) {
                out.println();
                out.println(r.loads() ? "QEMU would print:" : "QEMU would print:");
                r.qemuLines().forEach(l -> out.println("  " + QemuMessages.PROGRAM_PREFIX + l));
                if (r.qemuExitStatus() == dev.regshim.cpreg.QemuRelease.ABORT_EXIT_STATUS) {
                    out.println("  (and aborts: SIGABRT, exit status " + r.qemuExitStatus() + ")");
                }
            }
            CpuLoadOutcome previous = null;
            int previousInstance = -1;
            for (VcpuCheck v : r.vcpus()) {
                CpuLoadOutcome o = v.outcome();
                out.println();
                if (previous != null && sameFindings(previous, o)) {
                    out.printf("vCPU %d: the same as vCPU %d%n", v.instance(), previousInstance);
                    continue;
                }
                out.printf("vCPU %d: %d registers sent, %d on the destination%s%n", v.instance(), o.incomingCount(),
                        o.localCount(), o.lengthLimit().isPresent() ? " (accepts up to " + o.lengthLimit().getAsLong() + ")" : "");
                issues(out, "unexpected: in the stream, unknown to the destination", o.unexpected(), verbose);
                issues(out, "ignored: unknown, after the destination's last register (value silently dropped)", o.ignoredTail(), verbose);
                issues(out, "tolerated / faked", o.tolerated(), verbose);
                issues(out, "missing: the destination's, not in the stream (kept at its destination value)", o.missing(), verbose);
                if (!o.conflicts().isEmpty()) {
                    out.printf("  value conflicts (%d):%n", o.conflicts().size());
                    for (ValueConflict c : o.conflicts()) {
                        out.printf("    %-24s %s%n", RegCatalog.get().name(c.id()), Fixes.explainConflict(c));
                        out.printf("    %-24s %s%n", "", c.reason());
                    }
                }
                if (o.unexpected().isEmpty() && o.missing().isEmpty() && o.conflicts().isEmpty() && o.tolerated().isEmpty()
                        && o.ignoredTail().isEmpty()) {
                    out.println("  register lists and values agree");
                }
                o.notes().forEach(n -> out.println("  note: " + n));
                if (trace && !o.traceLines().isEmpty()) {
                    out.println("  trace:");
                    o.traceLines().forEach(t -> out.println("    " + t));
                }
                previous = o;
                previousInstance = v.instance();
            }
            if (!r.fixes().isEmpty()) {
                out.println();
                out.println("fixes:");
                List<Fix> cpuModel = new ArrayList<>();
                for (Fix f : r.fixes()) {
                    if (f.kind() == Fix.Kind.CPU_MODEL && !verbose) {
                        cpuModel.add(f);
                    } else {
                        out.println("  - " + f.explanation());
                    }
                }
                if (cpuModel.size() == 1) {
                    out.println("  - " + cpuModel.get(0).explanation());
                } else if (!cpuModel.isEmpty()) { // one fix for all value conflicts: the decoded values are above
                    List<RegId> ids = new ArrayList<>();
                    cpuModel.forEach(f -> ids.addAll(f.registers()));
                    out.println("  - use CPU models that agree on the values of " + CheckCauses.countedIds(ids)
                            + " (each conflict is decoded above; --verbose states the fix per register)");
                }
            }
            if (!r.notes().isEmpty()) {
                out.println();
                r.notes().forEach(n -> out.println("note: " + n));
            }
            out.flush();
        }

        private static boolean sameFindings(CpuLoadOutcome a, CpuLoadOutcome b) {
            return a.unexpected().equals(b.unexpected()) && a.missing().equals(b.missing())
                    && a.conflicts().equals(b.conflicts()) && a.tolerated().equals(b.tolerated())
                    && a.ignoredTail().equals(b.ignoredTail()) && a.incomingCount() == b.incomingCount()
                    && a.localCount() == b.localCount();
        }

        static String stageText(CheckResult r) {
            switch (r.stage()) {
                case MACHINE: return "machine type";
                case RAM: return "RAM block list";
                case SECTION: return "device section";
                case CPU: return "vCPU registers";
                default: return "";
            }
        }

        private static void issues(PrintWriter out, String title, List<RegIssue> list, boolean verbose) {
            if (list.isEmpty()) {
                return;
            }
            if (!verbose && list.size() > BRIEF_ROWS) {
                List<RegId> ids = new ArrayList<>();
                list.forEach(i -> ids.add(i.id()));
                out.printf("  %s: %s; --verbose lists them%n", title, CheckCauses.countedIds(ids));
                return;
            }
            out.printf("  %s (%d):%n", title, list.size());
            for (RegIssue r : list) {
                String value = r.value().isPresent() ? String.format("value 0x%016x", r.value().getAsLong()) : "";
                out.println(("    " + RegFormat.row(r.id()) + "  " + value).stripTrailing());
            }
        }

        private static String names(RegSet set) {
            List<String> n = new ArrayList<>();
            set.forEach(id -> n.add(RegCatalog.get().name(id)));
            return String.join(", ", n);
        }

        public static ObjectNode json(Profile src, Profile dst, CheckResult r) {
            ObjectNode o = Json.object();
            o.put("from", src.provenance().summary());
            o.put("to", dst.provenance().summary());
            o.put("semantics", r.settings().semantics().label());
            if (r.settings().destination().known()) {
                o.put("qemu_release", r.settings().destination().release().toString());
                o.put("qemu_release_source", r.settings().destination().source().name().toLowerCase(java.util.Locale.ROOT));
            }
            o.put("qemu_exit_status", r.qemuExitStatus());
            o.put("accel", r.settings().accel().label());
            o.set("hidden", RegFormat.json(r.settings().hidden()));
            o.set("fake", RegFormat.json(r.settings().fake()));
            o.put("loads", r.loads());
            ArrayNode conds = o.putArray("conditions");
            r.conditions().forEach(conds::add);
            o.put("stage", r.stage().name().toLowerCase(java.util.Locale.ROOT));
            if (r.firstError() != null) {
                o.put("first_error", r.firstError());
            }
            ArrayNode lines = o.putArray("qemu_lines");
            r.qemuLines().forEach(l -> lines.add(QemuMessages.PROGRAM_PREFIX + l));
            ArrayNode vs = o.putArray("vcpus");
            for (VcpuCheck v : r.vcpus()) {
                CpuLoadOutcome c = v.outcome();
                ObjectNode vn = vs.addObject();
                vn.put("instance", v.instance());
                vn.put("loads", c.loads());
                vn.put("failure", c.failure().name().toLowerCase(java.util.Locale.ROOT));
                vn.put("sent", c.incomingCount());
                vn.put("destination", c.localCount());
                if (c.lengthLimit().isPresent()) {
                    vn.put("length_limit", c.lengthLimit().getAsLong());
                }
                vn.set("unexpected", issues(c.unexpected()));
                vn.set("ignored_tail", issues(c.ignoredTail()));
                vn.set("tolerated", issues(c.tolerated()));
                vn.set("missing", issues(c.missing()));
                ArrayNode cs = vn.putArray("conflicts");
                for (ValueConflict vc : c.conflicts()) {
                    ObjectNode cn = RegFormat.json(vc.id());
                    cn.put("incoming", Json.hex(vc.incoming()));
                    cn.put("destination", Json.hex(vc.destination()));
                    cn.put("from_stream", vc.fromStream());
                    cn.put("explanation", Fixes.explainConflict(vc));
                    cn.put("reason", vc.reason());
                    cs.add(cn);
                }
                ArrayNode tr = vn.putArray("trace");
                c.traceLines().forEach(tr::add);
                ArrayNode nn = vn.putArray("notes");
                c.notes().forEach(nn::add);
                vn.put("values_checked", c.valuesChecked());
            }
            ArrayNode fixes = o.putArray("fixes");
            for (Fix f : r.fixes()) {
                ObjectNode fn = fixes.addObject();
                fn.put("kind", f.kind().name().toLowerCase(java.util.Locale.ROOT));
                if (f.property() != null) {
                    fn.put("property", f.property());
                }
                ArrayNode regs = fn.putArray("registers");
                f.registers().forEach(id -> regs.add(RegFormat.json(id)));
                fn.put("safe", f.safe());
                fn.put("explanation", f.explanation());
            }
            ArrayNode notes = o.putArray("notes");
            r.notes().forEach(notes::add);
            return o;
        }

        private static ArrayNode issues(List<RegIssue> list) {
            ArrayNode a = Json.MAPPER.createArrayNode();
            for (RegIssue r : list) {
                ObjectNode n = RegFormat.json(r.id());
                r.value().ifPresent(v -> n.put("value", Json.hex(v)));
                n.put("note", r.note());
                a.add(n);
            }
            return a;
        }
    }
}
