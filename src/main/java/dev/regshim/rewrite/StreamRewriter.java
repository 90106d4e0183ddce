package dev.regshim.rewrite;

import dev.regshim.RegshimException;
import dev.regshim.check.CheckResult;
import dev.regshim.check.MigrationCheck;
import dev.regshim.policy.FeatureGates;
import dev.regshim.policy.Refusal;
import dev.regshim.policy.RewriteOptions;
import dev.regshim.policy.RewritePlan;
import dev.regshim.policy.RewriteRefusedException;
import dev.regshim.policy.VcpuRewrite;
import dev.regshim.profile.Profile;
import dev.regshim.profile.source.StreamProfiles;
import dev.regshim.regs.RegCatalog;
import dev.regshim.stream.CpregReplacement;
import dev.regshim.stream.CpuSection;
import dev.regshim.stream.ReadOptions;
import dev.regshim.stream.StreamTransformer;
import dev.regshim.stream.container.SaveImage;
import dev.regshim.stream.container.SaveImageWriter;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The offline rewriter: plans every vCPU from a first read of the input, refuses before writing anything when the
 * plan would lose guest state or still not load, then writes the output to a temporary file next to it (in the
 * input's own container), re-reads and verifies that file in full ({@link OutputVerifier}), and only then renames it
 * into place. Nothing but the planned cpreg arrays and the vmdesc {@code array_len}s that describe them changes.
 *
 * <p>Two ways to write, the same bytes either way (the tests compare them):
 * <ul>
 *   <li><b>splice</b>, for a bare stream file whose two ends were enough to plan ({@link RewriteInput#endsOnly()}):
 *       the bytes before the device state (header and RAM, nearly all of the file) are copied by the kernel and the
 *       rewritten device state, EOF and trailer appended; then the whole output is re-read and decoded, its head
 *       (or with {@link Verification#BYTES} every byte before the device state) compared with the input's
 *       ({@link SpliceWriter}). The input's RAM is read once, by the kernel's copy (twice with BYTES).</li>
 *   <li><b>stream</b>, for containers (decompress, transform, recompress) and any other bare stream: the whole
 *       stream goes through {@link StreamTransformer}, which re-encodes every record; the input is read a second
 *       time (after the planning read) and its prefix digested on the way, then the output is re-read in full and
 *       its prefix digested again ({@link OutputVerifier#verify}).</li>
 * </ul>
 */
public final class StreamRewriter {

    private static final int OUT_BUFFER = 1 << 20;

    private StreamRewriter() {
    }

    /** How the output was written. */
    public enum Method { SPLICE, STREAM }

    /**
     * @param written   false when the plan was refused (nothing was written)
     * @param before    the model's verdict on the unmodified stream at the destination
     * @param after     the model's verdict on the rewritten state
     * @param checks    what the verification re-read confirmed
     * @param method    how the output was written (null when nothing was)
     */
    public record Result(Path input, Path output, Profile source, RewritePlan plan, CheckResult before, CheckResult after,
                         long outputBytes, List<String> checks, boolean written, String refusal, Method method) {
    }

    public static Result rewrite(Path in, Path out, RewriteOptions o) {
        return rewrite(in, out, o, Verification.DECODE, ReadOptions.defaults());
    }

    public static Result rewrite(Path in, Path out, RewriteOptions o, Verification verification) {
        return rewrite(in, out, o, verification, ReadOptions.defaults());
    }

    public static Result rewrite(Path in, Path out, RewriteOptions o, Verification verification, ReadOptions options) {
        FileStamp stamp = FileStamp.of(in);
        Path tmp = null;
        SpliceWriter.Splice splice = null;
        try {
            if (Files.isRegularFile(in) && startsAsBareStream(in)) {
                // a bare stream's bytes before its device state do not depend on the plan: the kernel copies the
                // file meanwhile, from before it is even read (where the output cannot be created, the plan's
                // refusal, if any, is the better news: later)
                tmp = createTempOrNull(out);
                splice = tmp == null ? null : SpliceWriter.begin(in, tmp);
            }
            RewriteInput input = RewriteInput.read(in, options);
            if (input.summary().packagedBytes() > 0) {
                throw new RewriteRefusedException(in + ": the stream carries a postcopy PACKAGED payload ("
                        + input.summary().packagedBytes() + " bytes) whose cpu sections regshim cannot rewrite");
            }
            Method method = input.endsOnly() ? Method.SPLICE : Method.STREAM;
            if (splice != null && method == Method.SPLICE) {
                splice.attach(input, verification, options);
            } else if (splice != null) {
                splice.close(); // a container or a stream read in full: written by the transformer instead
                splice = null;
                deleteQuietly(tmp);
                tmp = null;
            }
            Profile source = StreamProfiles.fromSummary(input.summary(), in.toString(), "stream");
            CheckResult before = MigrationCheck.run(source, o.destination(), o.settings(), o.destination().kvmValueRule());
            Map<Integer, Integer> els = new HashMap<>();
            input.summary().cpus().forEach(c -> els.put(c.instanceId(), FeatureGates.currentEl(c.pstate())));
            RewritePlan plan = RewritePlan.of(source, o, els);
            if (plan.refused()) {
                return new Result(in, out, source, plan, before, null, 0, List.of(), false, refusalText(plan), null);
            }
            CheckResult after = plan.verdict(source);
            if (!after.loads()) {
                return new Result(in, out, source, plan, before, after, 0, List.of(), false, unloadable(after), null);
            }
            ExpectedOutput expected = ExpectedOutput.of(input, plan, options.limits());
            List<String> checks;
            if (method == Method.SPLICE) {
                if (splice == null) {
                    tmp = createTemp(out);
                    splice = SpliceWriter.begin(in, tmp);
                    splice.attach(input, verification, options);
                }
                Path written = tmp;
                OutputVerifier.Reread back = splice.finish(expected.encodeTail(),
                        early -> OutputVerifier.checkDeviceState(written, early, expected, plan, o));
                checks = OutputVerifier.check(tmp, input, back, expected, plan, o);
            } else {
                tmp = createTemp(out);
                PrefixDigest.Digest prefix = stream(in, tmp, input, plan, options);
                checks = OutputVerifier.verify(tmp, input, prefix, expected, plan, o, options);
            }
            if (!FileStamp.of(in).equals(stamp)) {
                throw OutputVerifier.failed(tmp, in + " changed while it was being rewritten");
            }
            checks.add("input: unchanged from the first read to the end of the verification (" + stamp + ")");
            long size = Files.size(tmp);
            dev.regshim.util.FileModes.applyOutputMode(tmp, in, out);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
            return new Result(in, out, source, plan, before, after, size, checks, true, null, method);
        } catch (IOException e) {
            throw new RegshimException("cannot write " + out + ": " + dev.regshim.util.SafeFiles.reason(e), e);
        } finally {
            if (splice != null) {
                splice.close();
            }
            deleteQuietly(tmp);
        }
    }

    private static Path createTemp(Path out) throws IOException {
        return Files.createTempFile(out.toAbsolutePath().getParent(), "." + out.getFileName() + ".", ".regshim-tmp");
    }

    /** Whether the file starts with the stream magic (not a container, which the transformer writes). */
    private static boolean startsAsBareStream(Path in) {
        byte[] head = new byte[Integer.BYTES];
        try (var ch = java.nio.channels.FileChannel.open(in, StandardOpenOption.READ)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(head);
            while (b.hasRemaining() && ch.read(b) > 0) {
                // a few bytes: one read nearly always
            }
            return !b.hasRemaining() && dev.regshim.stream.StreamHeader.startsWithMagic(head);
        } catch (IOException e) {
            return false; // the first read reports it
        }
    }

    private static Path createTempOrNull(Path out) {
        try {
            return createTemp(out);
        } catch (IOException e) {
            return null;
        }
    }

    private static String unloadable(CheckResult after) {
        return after.unknownSubsection() != null
                ? "even rewritten, the destination would refuse the stream: its QEMU does not know "
                + after.unknownSubsection() + " (device state regshim does not drop)"
                : "even rewritten, the destination would refuse the stream: " + after.firstError()
                + (after.stage() == dev.regshim.check.Stage.CPU ? "" : " (not a register difference: "
                + "the destination's machine, RAM or devices differ)");
    }

    /** The whole stream through the transformer (decompressed and recompressed in a container). */
    private static PrefixDigest.Digest stream(Path in, Path tmp, RewriteInput input, RewritePlan plan,
                                              ReadOptions options) throws IOException {
        StreamTransformer t = StreamTransformer.of(cpu -> replacementChecked(cpu, plan), options);
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp, StandardOpenOption.WRITE), OUT_BUFFER)) {
            if (input.container().isEmpty()) {
                try (PrefixDigest d = new PrefixDigest(FileChannel.open(in, StandardOpenOption.READ),
                        input.deviceStart())) {
                    t.transform(d, file);
                    return d.digest();
                }
            }
            SaveImage img = input.container().get();
            try (InputStream raw = img.openStream();
                 PrefixDigest d = new PrefixDigest(Channels.newChannel(raw), input.deviceStart());
                 OutputStream encoded = SaveImageWriter.wrapping(img, file)) {
                t.transform(d, encoded);
                return d.digest();
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
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
