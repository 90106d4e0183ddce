package dev.regshim.rewrite;

import dev.regshim.RegshimException;
import dev.regshim.check.CheckResult;
import dev.regshim.check.MigrationCheck;
import dev.regshim.cpreg.CpregArray;
import dev.regshim.cpreg.KvmValueRule;
import dev.regshim.profile.Profile;
import dev.regshim.profile.StreamProfiles;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;
import dev.regshim.stream.CpregReplacement;
import dev.regshim.stream.CpuSection;
import dev.regshim.stream.ReadOptions;
import dev.regshim.stream.StreamSummary;
import dev.regshim.stream.StreamTransformer;
import dev.regshim.stream.TransformResult;
import dev.regshim.stream.container.SaveImage;
import dev.regshim.stream.container.SaveImageWriter;
import dev.regshim.stream.container.StreamFiles;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The offline rewriter: plans every vCPU from a first read of the input, refuses before writing anything when the
 * plan would lose guest state or still not load, then streams the input to a temporary file next to the output
 * (recompressed in its own container), re-reads and verifies that file, and only then renames it into place.
 */
public final class StreamRewriter {

    private static final int OUT_BUFFER = 1 << 20;

    private StreamRewriter() {
    }

    /**
     * @param written   false when the plan was refused (nothing was written)
     * @param before    the model's verdict on the unmodified stream at the destination
     * @param after     the model's verdict on the rewritten state
     * @param checks    what the verification re-read confirmed
     */
    public record Result(Path input, Path output, Profile source, RewritePlan plan, CheckResult before, CheckResult after,
                         TransformResult transform, long outputBytes, List<String> checks, boolean written,
                         String refusal) {
    }

    public static Result rewrite(Path in, Path out, RewriteOptions o) {
        StreamSummary summary;
        try {
            summary = StreamFiles.summarize(in, ReadOptions.defaults());
        } catch (IOException e) {
            throw new RegshimException("cannot read " + in + ": " + e.getMessage(), e);
        }
        if (summary.packagedBytes() > 0) {
            throw new RewriteRefusedException(in + ": the stream carries a postcopy PACKAGED payload ("
                    + summary.packagedBytes() + " bytes) whose cpu sections regshim cannot rewrite");
        }
        Profile source = StreamProfiles.fromSummary(summary, in.toString(), "stream");
        CheckResult before = MigrationCheck.run(source, o.destination(), o.settings(), KvmValueRule.CONSERVATIVE);
        RewritePlan plan = RewritePlan.of(source, o);
        if (plan.refused()) {
            return new Result(in, out, source, plan, before, null, null, 0, List.of(), false, refusalText(plan));
        }
        CheckResult after = plan.verdict(source);
        if (!after.loads()) {
            return new Result(in, out, source, plan, before, after, null, 0, List.of(), false,
                    "even rewritten, the destination would refuse the stream: " + after.firstError()
                            + (after.stage() == dev.regshim.check.Stage.CPU ? "" : " (not a register difference: "
                            + "the destination's machine, RAM or devices differ)"));
        }
        Path dir = out.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + out.getFileName() + ".", ".regshim-tmp");
            TransformResult tr = write(in, tmp, plan);
            List<String> checks = verify(in, tmp, summary, plan, o);
            long size = Files.size(tmp);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
            return new Result(in, out, source, plan, before, after, tr, size, checks, true, null);
        } catch (IOException e) {
            throw new RegshimException("cannot write " + out + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    private static TransformResult write(Path in, Path tmp, RewritePlan plan) throws IOException {
        StreamTransformer t = StreamTransformer.of(cpu -> replacementChecked(cpu, plan));
        Optional<SaveImage> container = StreamFiles.container(in);
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), OUT_BUFFER)) {
            if (container.isEmpty()) {
                return t.transform(in, file);
            }
            try (InputStream raw = container.get().openStream();
                 OutputStream encoded = SaveImageWriter.wrapping(container.get(), file)) {
                return t.transform(raw, encoded);
            }
        }
    }

    /** The planned replacement, after checking the section is the one the plan was made from. */
    private static CpregReplacement replacementChecked(CpuSection cpu, RewritePlan plan) {
        VcpuRewrite r = plan.vcpu(cpu.instanceId());
        if (r == null) {
            throw new RewriteRefusedException("cpu " + cpu.instanceId() + " was not in the first read of the input");
        }
        if (!Arrays.equals(r.before().ids(), cpu.ids()) || !Arrays.equals(r.before().values(), cpu.values())) {
            throw new RewriteRefusedException("cpu " + cpu.instanceId() + " changed between the two reads of the input");
        }
        return plan.replacement(cpu.instanceId());
    }

    /** Re-reads what was written and checks it against the input and the plan; throws on any difference. */
    static List<String> verify(Path in, Path written, StreamSummary original, RewritePlan plan, RewriteOptions o) throws IOException {
        List<String> checks = new ArrayList<>();
        StreamSummary s = StreamFiles.summarize(written, ReadOptions.defaults());
        checks.add("re-read the output: " + s.totalBytes() + " stream bytes, " + s.sections().size() + " sections");
        if (!s.machineType().equals(original.machineType()) || s.pageSize() != original.pageSize()) {
            throw failed(written, "machine type or page size differs from the input");
        }
        if (s.sections().size() != original.sections().size()) {
            throw failed(written, "section count " + s.sections().size() + " differs from the input's " + original.sections().size());
        }
        for (int i = 0; i < s.sections().size(); i++) {
            StreamSummary.SectionInfo a = original.sections().get(i), b = s.sections().get(i);
            boolean same = a.type() == b.type() && a.sectionId() == b.sectionId() && a.instanceId() == b.instanceId()
                    && a.versionId() == b.versionId() && java.util.Objects.equals(a.idstr(), b.idstr())
                    && (a.length() == b.length() || "cpu".equals(a.idstr()));
            if (!same) {
                throw failed(written, "section " + i + " ('" + a.idstr() + "') differs from the input");
            }
        }
        checks.add("sections: same order, ids, instances and versions; only cpu sections changed length");
        if (s.zeroPages() != original.zeroPages() || s.dataPages() != original.dataPages()
                || s.ramBlocks().size() != original.ramBlocks().size()) {
            throw failed(written, "RAM differs from the input");
        }
        checks.add("RAM: " + s.ramBlocks().size() + " blocks, " + s.dataPages() + " data and " + s.zeroPages() + " zero pages, as in the input");
        if (s.cpus().size() != original.cpus().size()) {
            throw failed(written, "vCPU count differs");
        }
        for (CpuSection c : s.cpus()) {
            VcpuRewrite r = plan.vcpu(c.instanceId());
            long[] ids = c.ids();
            for (int i = 1; i < ids.length; i++) {
                if (Long.compareUnsigned(ids[i - 1], ids[i]) >= 0) {
                    throw failed(written, "cpu " + c.instanceId() + ": IDs not sorted and unique at index " + i);
                }
            }
            if (!Arrays.equals(ids, r.after().ids()) || !Arrays.equals(c.values(), r.after().values())) {
                throw failed(written, "cpu " + c.instanceId() + ": arrays differ from the plan");
            }
            Set<Long> changed = new HashSet<>();
            r.changes().forEach(ch -> changed.add(ch.id().value()));
            CpregArray before = r.before();
            for (int i = 0; i < ids.length; i++) {
                if (changed.contains(ids[i])) {
                    continue;
                }
                int j = before.indexOf(ids[i]);
                if (j < 0 || before.value(j) != c.values()[i]) {
                    throw failed(written, "cpu " + c.instanceId() + ": kept register " + RegCatalog.get().name(RegId.of(ids[i]))
                            + " does not have its input value");
                }
            }
        }
        checks.add("cpreg arrays: sorted and unique, exactly as planned; every kept value equals the input's");
        Profile out = StreamProfiles.fromSummary(s, written.toString(), "stream");
        CheckResult verdict = MigrationCheck.run(out, o.destination(), o.settings(), KvmValueRule.CONSERVATIVE);
        if (!verdict.loads()) {
            throw failed(written, "the model says the destination refuses it: " + verdict.firstError());
        }
        checks.add("model: the destination (" + o.settings().semantics().label() + ", " + o.settings().accel().label() + ") loads it");
        if (s.vmdesc() != null) {
            checks.add("vmdesc trailer re-parsed; its cpreg array_len entries match the new arrays");
        }
        return checks;
    }

    private static RegshimException failed(Path written, String what) {
        return new RegshimException("verification of the rewritten stream failed (" + written + "): " + what
                + "; nothing was written");
    }

    static String refusalText(RewritePlan plan) {
        StringBuilder b = new StringBuilder("refused: the rewrite would lose guest state");
        for (Refusal r : plan.refusals()) {
            b.append("\n  cpu ").append(r.vcpu()).append(": ").append(RegCatalog.get().name(r.id())).append(" (").append(r.id().hex()).append(")");
            r.sourceValue().ifPresent(v -> b.append(String.format(" source 0x%016x", v)));
            r.destinationValue().ifPresent(v -> b.append(String.format(" destination 0x%016x", v)));
            b.append(": ").append(r.reason());
        }
        b.append("\n(use --policy tolerant where the evidence allows, --inert REG[=VALUE] for values you know are inert,"
                + " or --policy force to discard them)");
        return b.toString();
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort: the caller already reports the real failure
            }
        }
    }
}
