package dev.regshim.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.regshim.check.CheckResult;
import dev.regshim.cpreg.QemuMessages;
import dev.regshim.lab.LabHost;
import dev.regshim.lab.LabMigration;
import dev.regshim.lab.LabReport;
import dev.regshim.lab.LabUserland;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code regshim lab}: real arm64 KVM hosts in outer QEMUs, for experiments with real kernels. */
@Command(name = "lab", mixinStandardHelpOptions = true,
        description = "Real arm64 KVM hosts, booted in outer QEMUs on this machine (nested virtualization under TCG).",
        subcommands = {LabCommand.Migrate.class, LabCommand.Matrix.class})
final class LabCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "migrate", mixinStandardHelpOptions = true,
            description = {"Migrate a guest running under KVM from one real kernel to another: two lab hosts with the "
                    + "same CPU, Debian's arm64 QEMU in each, the guest saved and loaded (direct), rewritten by regshim on "
                    + "the way (rewrite), or migrated live through regshim proxy running here (proxy).",
                    "Prints what regshim predicted before the destination was asked, QEMU's real lines, and whether the "
                            + "guest went on counting. Exit 0 when the guest runs on the destination, 1 when the migration "
                            + "failed or was refused, 2 when the lab could not run it."})
    static final class Migrate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--from", paramLabel = "KERNEL",
                description = "the source host's kernel: a Debian version (6.12.43, 7.3), a .deb or an Image file.")
        String from;

        @Option(names = "--stream", paramLabel = "FILE",
                description = "instead of --from: load this saved stream (e.g. one kept by --keep, or saved on a real "
                        + "host) on the destination; direct or rewrite only.")
        Path stream;

        @Option(names = "--source-guest", paramLabel = "FILE",
                description = "with --stream: the source guest's serial output (--keep writes source-guest.txt), to "
                        + "judge that the counter guest goes on counting; without it continuity is not judged.")
        Path sourceGuest;

        @Option(names = "--to", required = true, paramLabel = "KERNEL", description = "the destination host's kernel.")
        String to;

        @Option(names = "--host", paramLabel = "CPU[@SERIES]",
                description = "the hosts' CPU model and the outer QEMU series (default: max on the newest QEMU present).")
        String host;

        @Option(names = "--qemu", paramLabel = "SERIES", defaultValue = "10.0",
                description = "the QEMU release inside the hosts: 7.2, 10.0 or 11.1 (Debian's arm64 builds; default: "
                        + "${DEFAULT-VALUE}).")
        String qemu;

        @Option(names = "--via", paramLabel = "PATH", defaultValue = "direct",
                description = "direct | rewrite | proxy (default: ${DEFAULT-VALUE}).")
        String via;

        @Option(names = "--guest", paramLabel = "G", defaultValue = "counter",
                description = "counter (a running bare-metal guest that counts) | idle (a paused VM, never started); "
                        + "default: ${DEFAULT-VALUE}.")
        String guest;

        @Option(names = "--keep", paramLabel = "DIR", description = "keep the streams and the destination capture in DIR.")
        Path keep;

        @Option(names = "--json", description = "print the report as JSON.")
        boolean json;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "180",
                description = "give up when a lab host does not reach its next step within this long (default: "
                        + "${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Option(names = "--boot-el1", hidden = true, description = "boot the hosts at EL1, without KVM (tests).")
        boolean bootEl1;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (!LabUserland.SERIES.contains(qemu)) {
                throw new dev.regshim.RegshimException("--qemu must be one of " + String.join(", ", LabUserland.SERIES));
            }
            if (timeoutSeconds < 1 || timeoutSeconds > 3600) {
                throw new dev.regshim.RegshimException("--timeout must be between 1 and 3600 seconds");
            }
            if ((from == null) == (stream == null)) {
                throw new dev.regshim.RegshimException("give exactly one of --from KERNEL and --stream FILE");
            }
            if (sourceGuest != null && stream == null) {
                throw new dev.regshim.RegshimException("--source-guest goes with --stream");
            }
            LabMigration.Request r = new LabMigration.Request(from != null ? from : "stream " + stream.getFileName(),
                    to, LabHost.parse(host), qemu, LabMigration.Via.parse(via), LabMigration.Guest.parse(guest),
                    Duration.ofSeconds(timeoutSeconds), keep);
            if (stream != null) {
                r = r.withSaved(LabMigration.SavedSource.given(stream, sourceGuest));
            }
            if (bootEl1) {
                r = r.atEl1();
            }
            LabReport report = new LabMigration(line -> {
                err.println("regshim: " + line);
                err.flush();
            }).run(r);
            if (json) {
                Json.print(out, json(report));
            } else {
                print(out, report);
            }
            out.flush();
            return report.guestContinued() ? Main.EXIT_OK : Main.EXIT_DIFFERENT;
        }
    }

    @Command(name = "matrix", mixinStandardHelpOptions = true,
            description = {"Every ordered pair of KERNELS on one host and QEMU series: each source saved once and loaded "
                    + "directly on every other kernel; a failing direction is then tried through regshim rewrite and live "
                    + "through regshim proxy. One line per direction as it completes; --json-lines writes every report.",
                    "Exit 0 when every direction either loads with the guest continuing or is refused naming a register, "
                            + "and every prediction was exact; 1 otherwise."})
    static final class Matrix implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Parameters(paramLabel = "KERNEL", arity = "2..*",
                description = "the kernels (Debian versions, .deb or Image files).")
        List<String> kernels;

        @Option(names = "--host", paramLabel = "CPU[@SERIES]", description = "the hosts' CPU model and outer QEMU.")
        String host;

        @Option(names = "--qemu", paramLabel = "SERIES", defaultValue = "10.0",
                description = "the QEMU release inside the hosts (default: ${DEFAULT-VALUE}).")
        String qemu;

        @Option(names = "--json-lines", paramLabel = "FILE", description = "append every report to FILE, one JSON per line.")
        Path jsonLines;

        @Option(names = "--work", paramLabel = "DIR", description = "keep the saved sources in DIR (default: a temporary directory).")
        Path work;

        @Override
        public Integer call() throws java.io.IOException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            LabHost h = LabHost.parse(host);
            boolean[] allGood = {true};
            out.printf("lab matrix on %s, QEMU %s in the hosts%n", h.label(), qemu);
            out.flush();
            new dev.regshim.lab.LabMatrix(line -> {
                err.println("regshim: " + line);
                err.flush();
            }).runIn(work, kernels, h, qemu, LabMigration.Guest.COUNTER, row -> {
                allGood[0] &= row.good();
                out.println(rowText(row));
                out.flush();
                if (jsonLines != null) {
                    appendJson(row);
                }
            });
            return allGood[0] ? Main.EXIT_OK : Main.EXIT_DIFFERENT;
        }

        private void appendJson(dev.regshim.lab.LabMatrix.Row row) {
            ObjectNode o = Json.object();
            o.put("from", row.from()).put("to", row.to());
            if (row.error() != null) {
                o.put("error", row.error());
            }
            if (row.direct() != null) {
                o.set("direct", json(row.direct()));
            }
            if (row.rewrite() != null) {
                o.set("rewrite", json(row.rewrite()));
            }
            if (row.proxy() != null) {
                o.set("proxy", json(row.proxy()));
            }
            try {
                java.nio.file.Files.writeString(jsonLines, Json.MAPPER.writer().withoutFeatures(
                        com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(o) + "\n",
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            } catch (java.io.IOException e) {
                throw new dev.regshim.RegshimException("cannot write " + jsonLines + ": " + dev.regshim.util.SafeFiles.reason(e));
            }
        }
    }

    static String rowText(dev.regshim.lab.LabMatrix.Row row) {
        String head = String.format("%-10s -> %-10s", row.from(), row.to());
        if (row.direct() == null) {
            return head + "  LAB ERROR: " + row.error();
        }
        LabReport d = row.direct();
        StringBuilder b = new StringBuilder(head);
        b.append("  direct: ").append(d.loaded() ? (d.guestContinued() ? "loads" : "loads, guest NOT continuous")
                : "FAILS").append(d.predictionExact().map(e -> e ? " (predicted exactly)" : " (prediction WRONG)").orElse(""));
        if (!d.loaded() && !d.destinationLines().isEmpty()) {
            b.append(" [").append(d.destinationLines().get(d.destinationLines().size() - 1)).append(']');
        }
        if (row.rewrite() != null) {
            LabReport r = row.rewrite();
            b.append("  rewrite: ").append(Boolean.FALSE.equals(r.rewriteWritten()) ? "refused: " + r.rewriteText()
                    : r.guestContinued() ? "loads, guest continues" : "FAILS");
        }
        if (row.proxy() != null) {
            LabReport p = row.proxy();
            b.append("  proxy: ").append(p.guestContinued() ? "loads, guest continues"
                    : p.refusedByProxy() ? "refused (" + p.proxy().reason() + ")" + (Boolean.TRUE.equals(p.sourceContinued())
                    ? ", guest keeps running on the source" + (p.sourceResumedFrom() == null ? ""
                    : " (resumed from " + p.sourceResumedFrom() + " with cont)") : ", guest NOT running on the source")
                    : !p.destinationReached() ? "refused" + (Boolean.TRUE.equals(p.sourceContinued())
                    ? ", guest keeps running on the source" : "") : "FAILS");
        }
        if (row.error() != null) {
            b.append("  LAB ERROR: ").append(row.error());
        }
        return b.toString();
    }

    static void print(PrintWriter out, LabReport r) {
        LabMigration.Request q = r.request();
        out.printf("lab migrate %s -> %s on %s, QEMU %s in the hosts, via %s, %s guest%n",
                r.sourceRelease() == null ? q.from() : r.sourceRelease(),
                r.destinationRelease() == null ? q.to() : r.destinationRelease(), q.host().label(), r.qemuVersion(),
                q.via().label(), q.guest().label());
        out.println();
        out.println((q.via() == LabMigration.Via.PROXY
                ? "predicted by regshim check (the source host's capture against the destination's), without regshim: "
                : "predicted by regshim check (the saved stream against the destination's capture): ")
                + verdict(r.predicted()));
        lines(out, r.predicted().qemuLines());
        if (r.predictedByTable() != null) {
            boolean same = r.predictedByTable().loads() == r.predicted().loads()
                    && r.predictedByTable().qemuLines().equals(r.predicted().qemuLines());
            out.println("  against the kernel table (kernel:" + r.tableSpec() + "): " + verdict(r.predictedByTable())
                    + (same ? ", the same lines" : ", DIFFERENT lines"));
        }
        if (r.rewriteWritten() != null) {
            out.println();
            out.println("regshim rewrite: " + (r.rewriteWritten() ? "written, " + r.rewriteText() : "REFUSED: " + r.rewriteText()));
            if (r.rewritePredicted() != null && r.rewriteWritten()) {
                out.println("  predicted for the rewritten stream: " + verdict(r.rewritePredicted()));
            }
        }
        if (r.proxy() != null) {
            out.println();
            out.println("regshim proxy: " + r.proxy().outcome() + (r.proxy().reason() == null || r.proxy().reason().isEmpty()
                    ? "" : ": " + r.proxy().reason()));
            out.println("  the source's migration: " + r.sourceMigration());
            if (!r.sourceLines().isEmpty()) {
                lines(out, QemuMessagesView.strip(r.sourceLines()));
            }
        }
        out.println();
        if (!r.destinationReached()) {
            out.println("destination: not reached" + (Boolean.TRUE.equals(r.sourceContinued())
                    ? "; the guest keeps running on the source" : Boolean.FALSE.equals(r.sourceContinued())
                    ? "; the guest is NOT running on the source" : ""));
        } else {
            out.println("destination QEMU: " + (r.loaded() ? "loaded the state, the guest runs"
                    : "FAILED" + (r.destinationExit() == null ? "" : " (exit " + r.destinationExit() + ")")));
            lines(out, QemuMessagesView.strip(r.destinationLines()));
            r.predictionExact().ifPresent(e -> out.println("prediction: " + (e ? "exact (verdict and every line)"
                    : "WRONG")));
        }
        r.continuity().ifPresent(c -> out.println("guest: " + (c.ok()
                ? "counted on from n=" + Long.toHexString(c.sourceLast()) + " (source) to n="
                + Long.toHexString(c.destinationFirst()) + " (destination), registers intact"
                : "NOT continuous: " + c.problem())));
        if (r.refusedByProxy() && r.sourceContinued() != null) {
            out.println("source: " + (r.sourceContinued() ? "the migration failed there, the guest keeps running"
                    + (r.sourceResumedFrom() == null ? "" : " (its QEMU left it " + r.sourceResumedFrom()
                    + "; resumed with cont, as libvirt does)") : "the guest is NOT running"));
        }
        out.println("result: " + (r.guestContinued() ? "the guest runs on the destination"
                : r.refusedByProxy() ? "refused by regshim proxy" + (Boolean.TRUE.equals(r.sourceContinued())
                ? ", the guest keeps running on the source" : "")
                : r.destinationReached() ? "the migration failed" : "refused before the destination"));
    }

    /** The QEMU program prefix the model leaves out. */
    static final class QemuMessagesView {
        static List<String> strip(List<String> lines) {
            return lines.stream().map(l -> l.startsWith(QemuMessages.PROGRAM_PREFIX)
                    ? l.substring(QemuMessages.PROGRAM_PREFIX.length()) : l).toList();
        }
    }

    private static String verdict(CheckResult c) {
        return c.loads() ? (c.conditions().isEmpty() ? "LOADS" : "LOADS while " + String.join(" and ", c.conditions()))
                : "FAILS";
    }

    private static void lines(PrintWriter out, List<String> qemuLines) {
        qemuLines.forEach(l -> out.println("  " + QemuMessages.PROGRAM_PREFIX + l));
    }

    static ObjectNode json(LabReport r) {
        ObjectNode o = Json.object();
        LabMigration.Request q = r.request();
        o.put("from", q.from()).put("to", q.to()).put("source_release", r.sourceRelease())
                .put("destination_release", r.destinationRelease()).put("host", q.host().label())
                .put("qemu", r.qemuVersion()).put("via", q.via().label()).put("guest", q.guest().label());
        ObjectNode p = o.putObject("predicted");
        p.put("loads", r.predicted().loads());
        ArrayNode pl = p.putArray("qemu_lines");
        r.predicted().qemuLines().forEach(l -> pl.add(QemuMessages.PROGRAM_PREFIX + l));
        if (r.tableSpec() != null) {
            p.put("table_spec", r.tableSpec()).put("table_loads", r.predictedByTable().loads());
        }
        if (r.rewriteWritten() != null) {
            o.putObject("rewrite").put("written", r.rewriteWritten()).put("text", r.rewriteText());
        }
        if (r.proxy() != null) {
            o.putObject("proxy").put("outcome", r.proxy().outcome().toString()).put("reason", r.proxy().reason())
                    .put("source_migration", r.sourceMigration());
        }
        ObjectNode d = o.putObject("destination");
        d.put("reached", r.destinationReached()).put("loaded", r.loaded());
        if (r.destinationExit() != null) {
            d.put("exit", r.destinationExit());
        }
        ArrayNode dl = d.putArray("qemu_lines");
        r.destinationLines().forEach(dl::add);
        r.predictionExact().ifPresent(e -> o.put("prediction_exact", e));
        r.continuity().ifPresent(c -> o.putObject("guest").put("continuous", c.ok()).put("problem", c.problem())
                .put("source_last", c.sourceLast()).put("destination_first", c.destinationFirst()));
        if (r.sourceContinued() != null) {
            o.put("source_continued", r.sourceContinued());
        }
        if (r.sourceResumedFrom() != null) {
            o.put("source_resumed_from", r.sourceResumedFrom());
        }
        o.put("guest_continued", r.guestContinued());
        return o;
    }
}
