package dev.regshim.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.regshim.RegshimException;
import dev.regshim.policy.Refusal;
import dev.regshim.policy.RegisterChange;
import dev.regshim.policy.RewriteOptions;
import dev.regshim.policy.RewriteRefusedException;
import dev.regshim.policy.VcpuRewrite;
import dev.regshim.profile.Profile;
import dev.regshim.profile.source.ProfileSources;
import dev.regshim.regs.RegCatalog;
import dev.regshim.rewrite.StreamRewriter;
import dev.regshim.rewrite.Verification;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code regshim rewrite IN OUT --to PROFILE}: make a saved stream load on a different destination, losslessly. */
@Command(name = "rewrite", mixinStandardHelpOptions = true,
        description = {"Rewrite a saved migration stream (or libvirt save image) so that the destination accepts its",
            "vCPU registers, without losing guest state: registers are dropped only when their value is inert, ID",
            "registers change only in the safe direction of every field. Everything else is byte-identical; the",
            "output is verified by re-reading it before it is renamed into place. '-' reads stdin / writes stdout.",
            "Exit 0 written, 1 refused (nothing written), 2 input error."})
public final class RewriteCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RewritePolicyOptions policyOptions = new RewritePolicyOptions();

    @Parameters(index = "0", paramLabel = "IN")
    String in;

    @Parameters(index = "1", paramLabel = "OUT")
    String out;

    @Option(names = "--to", required = true, paramLabel = "PROFILE",
            description = "the destination: a stream or save image it wrote, a capture or profile JSON, a list, kernel:SPEC")
    String to;

    @Option(names = "--verify", paramLabel = "V", defaultValue = "decode",
            description = {"decode: re-read and decode the whole output, compare its head, device state and trailer "
                    + "with the input's (default); bytes: also compare every RAM byte of a bare stream with the "
                    + "input's (one more read of the input)"})
    String verify;

    @Option(names = "--report", paramLabel = "FILE", description = "write a JSON report of every change (also when refused)")
    Path report;

    @Option(names = {"-q", "--quiet"}, description = "no progress bar on standard error")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        if (in.equals("-") && to.equals("-")) {
            throw new RegshimException("standard input ('-') can be read for one argument only");
        }
        Profile dst = ProfileSources.resolve(StdinInput.path(to));
        RewriteOptions o = policyOptions.toOptions(dst);

        boolean toStdout = out.equals("-");
        PrintWriter msg = toStdout ? spec.commandLine().getErr() : spec.commandLine().getOut();
        Path inPath = in.equals("-") ? spool(System.in, "stdin") : Path.of(in);
        Path outPath = null;
        try {
            outPath = toStdout ? Files.createTempFile("regshim-out-", ".mig") : Path.of(out);
            if (!in.equals("-") && !Files.isRegularFile(inPath)) {
                throw new RegshimException("no such file: " + in);
            }
            StreamRewriter.Result r;
            // a compressed input's size says nothing of the stream's: its bar counts bytes and rate without a total
            boolean bare = dev.regshim.stream.container.SaveImage.open(inPath).kind()
                    == dev.regshim.stream.container.SaveImage.Kind.QEMU_STREAM;
            try (Progress progress = Progress.start("rewrite", bare ? Files.size(inPath) : -1, quiet)) {
                r = StreamRewriter.rewrite(inPath, outPath, o, Verification.parse(verify),
                        dev.regshim.stream.ReadOptions.defaults().withProgress(progress.consumer()));
            }
            if (report != null) {
                Files.writeString(report, Json.MAPPER.writeValueAsString(reportJson(r, o)) + "\n");
            }
            print(msg, r, o, toStdout ? "standard output" : null);
            if (!r.written()) {
                throw new RewriteRefusedException(shortRefusal(r) + "; nothing written");
            }
            if (toStdout) {
                // flushed, not closed: the JVM (or an in-process caller) still owns standard output
                OutputStream stdout = StandardStreams.out();
                try {
                    Files.copy(outPath, stdout);
                    stdout.flush();
                } catch (IOException e) {
                    throw new RegshimException("cannot write the rewritten stream to standard output: "
                            + dev.regshim.util.SafeFiles.reason(e));
                }
                msg.println(wroteLine(r, "standard output"));
                msg.flush();
            }
            return Main.EXIT_OK;
        } finally {
            if (toStdout && outPath != null) {
                Files.deleteIfExists(outPath);
            }
            if (in.equals("-")) {
                Files.deleteIfExists(inPath);
            }
        }
    }

    /** One line for the exit message; the full list was printed above. */
    static String shortRefusal(StreamRewriter.Result r) {
        List<Refusal> all = r.plan().refusals();
        if (all.isEmpty()) {
            return r.refusal();
        }
        Refusal f = all.get(0);
        String first = RegCatalog.get().name(f.id()) + " (" + f.reason() + ")";
        return "refused: " + (all.size() == 1 ? first + " would lose guest state"
                : first + " and " + (all.size() - 1) + " more registers would lose guest state");
    }

    private static Path spool(InputStream stdin, String what) throws IOException {
        Path tmp = Files.createTempFile("regshim-" + what + "-", ".mig");
        try {
            Files.copy(stdin, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp); // nothing is left behind on a failed read
            throw e;
        }
        return tmp;
    }

    static void print(PrintWriter out, StreamRewriter.Result r, RewriteOptions o) {
        print(out, r, o, null);
    }

    static String wroteLine(StreamRewriter.Result r, String outputName) {
        return "wrote " + outputName + " (" + r.outputBytes() + " bytes, "
                + (r.method() == StreamRewriter.Method.SPLICE ? "RAM copied by the kernel" : "re-encoded") + ")";
    }

    /** @param outputName how to name the output (null: its path) */
    static void print(PrintWriter out, StreamRewriter.Result r, RewriteOptions o, String outputName) {
        out.println("input:       " + r.input() + " (" + r.source().provenance().summary() + ")");
        out.println("destination: " + o.destination().provenance().summary());
        out.println("model:       " + o.settings().semantics().label() + ", " + o.settings().accel().label()
                + ", policy " + o.policy().label());
        out.println("unmodified:  " + (r.before().loads() ? "loads" : "FAILS: " + r.before().firstError()));
        for (VcpuRewrite v : r.plan().vcpus()) {
            out.printf("cpu %d: %d -> %d registers%n", v.instance(), v.before().length(), v.after().length());
            for (RegisterChange c : v.changes()) {
                out.println("  " + changeLine(c));
            }
            for (Refusal f : v.refusals()) {
                out.println("  REFUSED " + RegCatalog.get().name(f.id()) + ": " + f.reason());
            }
            v.notes().forEach(n -> out.println("  note: " + n));
        }
        List<RegisterChange> lossy = r.plan().lossyChanges();
        if (!lossy.isEmpty()) {
            out.println("DISCARDED under --policy force (guest state lost):");
            lossy.forEach(c -> out.println("  " + changeLine(c)));
        }
        if (r.written()) {
            out.println("rewritten:   " + (r.after().loads() ? "the model says the destination loads it" : r.after().firstError()));
            r.checks().forEach(c -> out.println("verified:    " + c));
            if (outputName == null) {
                out.println(wroteLine(r, r.output().toString()));
            }
        }
        out.flush();
    }

    private static String changeLine(RegisterChange c) {
        String name = RegCatalog.get().name(c.id());
        String old = c.oldValue().isPresent() ? String.format("0x%016x", c.oldValue().getAsLong()) : "-";
        String nu = c.newValue().isPresent() ? String.format("0x%016x", c.newValue().getAsLong()) : "-";
        return String.format("%-8s %-30s %s -> %s  %s", c.kind().name().toLowerCase(java.util.Locale.ROOT), name, old, nu, c.reason());
    }

    static ObjectNode reportJson(StreamRewriter.Result r, RewriteOptions o) {
        ObjectNode n = Json.object();
        n.put("input", r.input().toString());
        n.put("output", r.output().toString());
        n.put("destination", o.destination().provenance().summary());
        n.put("semantics", o.settings().semantics().label());
        n.put("accel", o.settings().accel().label());
        n.put("policy", o.policy().label());
        n.put("written", r.written());
        if (r.refusal() != null) {
            n.put("refusal", r.refusal());
        }
        n.put("unmodified_loads", r.before().loads());
        if (r.before().firstError() != null) {
            n.put("unmodified_first_error", r.before().firstError());
        }
        n.set("vcpus", vcpusJson(r.plan().vcpus()));
        if (r.method() != null) {
            n.put("method", r.method().name().toLowerCase(java.util.Locale.ROOT));
        }
        ArrayNode checks = n.putArray("verification");
        r.checks().forEach(checks::add);
        if (r.written()) {
            n.put("output_bytes", r.outputBytes());
        }
        return n;
    }

    /** Every vCPU's changes and refusals, as the rewrite and proxy reports write them. */
    static ArrayNode vcpusJson(List<VcpuRewrite> vcpus) {
        ArrayNode vs = Json.MAPPER.createArrayNode();
        for (VcpuRewrite v : vcpus) {
            ObjectNode vn = vs.addObject();
            vn.put("instance", v.instance());
            vn.put("before", v.before().length());
            vn.put("after", v.after().length());
            ArrayNode cs = vn.putArray("changes");
            for (RegisterChange c : v.changes()) {
                ObjectNode cn = RegFormat.json(c.id());
                cn.put("kind", c.kind().name().toLowerCase(java.util.Locale.ROOT));
                c.oldValue().ifPresent(x -> cn.put("old", Json.hex(x)));
                c.newValue().ifPresent(x -> cn.put("new", Json.hex(x)));
                cn.put("reason", c.reason());
                cn.put("lossy", c.lossy());
                cs.add(cn);
            }
            ArrayNode fs = vn.putArray("refusals");
            for (Refusal f : v.refusals()) {
                ObjectNode fn = RegFormat.json(f.id());
                f.sourceValue().ifPresent(x -> fn.put("source", Json.hex(x)));
                f.destinationValue().ifPresent(x -> fn.put("destination", Json.hex(x)));
                fn.put("reason", f.reason());
                fs.add(fn);
            }
        }
        return vs;
    }
}
