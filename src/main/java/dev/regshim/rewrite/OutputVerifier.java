package dev.regshim.rewrite;

import dev.regshim.RegshimException;
import dev.regshim.check.CheckResult;
import dev.regshim.check.MigrationCheck;
import dev.regshim.policy.RewriteOptions;
import dev.regshim.policy.RewritePlan;
import dev.regshim.policy.VcpuRewrite;
import dev.regshim.profile.Profile;
import dev.regshim.profile.source.StreamProfiles;
import dev.regshim.regs.CpregArray;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;
import dev.regshim.stream.CpuSection;
import dev.regshim.stream.DeviceSection;
import dev.regshim.stream.ReadOptions;
import dev.regshim.stream.SectionHeader;
import dev.regshim.stream.StreamReader;
import dev.regshim.stream.StreamSummary;
import dev.regshim.stream.VmCommand;
import dev.regshim.stream.container.SaveImage;
import dev.regshim.util.SafeFiles;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Re-reads a written rewrite in full, from the file, and accepts it only if it is exactly what was meant:
 * <ol>
 *   <li>the container (if any) reads back with the input's kind, format, header and XML area;</li>
 *   <li>the whole stream decodes (every RAM record, every device section walked, EOF, trailer);</li>
 *   <li>every byte before the device state (header, configuration, RAM) digests like the input's;</li>
 *   <li>the device state equals {@link ExpectedOutput}: same sections in the same order, non-cpu sections byte for
 *       byte, cpu sections differing only in the planned arrays, every kept register with its input value, the same
 *       commands, and the vmdesc trailer with only the changed {@code array_len}s;</li>
 *   <li>the model says the destination loads it.</li>
 * </ol>
 * Any difference throws; the caller then deletes the file.
 */
final class OutputVerifier {

    private OutputVerifier() {
    }

    /**
     * What the full re-read of an output established; {@code prefix} says how its prefix matched the input's.
     * {@code deviceState} holds what {@link #checkDeviceState} confirmed when the device state was re-read and checked
     * while the output was still being written (null when it is to be checked now).
     */
    record Reread(RewriteInput output, String prefix, String prefixMismatch, List<String> deviceState) {
        Reread(RewriteInput output, String prefix, String prefixMismatch) {
            this(output, prefix, prefixMismatch, null);
        }
    }

    /** Re-reads a written file (in the input's container, if any) and checks it. */
    static List<String> verify(Path written, RewriteInput input, PrefixDigest.Digest inputPrefix, ExpectedOutput exp,
                               RewritePlan plan, RewriteOptions o, ReadOptions options) throws IOException {
        List<String> checks = new ArrayList<>();
        SaveImage img = SaveImage.open(written);
        ReadableByteChannel ch;
        if (input.container().isPresent()) {
            SaveImage orig = input.container().get();
            if (img.kind() != orig.kind() || !img.codec().equals(orig.codec())
                    || !Arrays.equals(img.prefix(), orig.prefix())) {
                throw failed(written, "the container reads back as " + img.describe() + ", not like the input's");
            }
            checks.add("container: " + img.describe() + (img.kind() == SaveImage.Kind.LIBVIRT_SAVE
                    ? "; libvirt header and XML area byte-identical to the input's" : ", like the input"));
            ch = Channels.newChannel(img.openStream());
        } else {
            ch = FileChannel.open(written, StandardOpenOption.READ);
        }
        Reread r;
        try (PrefixDigest d = new PrefixDigest(ch, input.deviceStart())) {
            RewriteInput out = reread(d, written, input, options);
            PrefixDigest.Digest got = d.digest();
            r = new Reread(out, "same CRC-32C and CRC-32 as the input's (" + got.describe() + ")",
                    got.equals(inputPrefix) ? null : "input " + inputPrefix.describe() + ", output " + got.describe());
        }
        checks.addAll(check(written, input, r, exp, plan, o));
        return checks;
    }

    /** Decodes the whole output from {@code ch}: every RAM record, every device section, EOF and the trailer. */
    static RewriteInput reread(ReadableByteChannel ch, Path written, RewriteInput input, ReadOptions options)
            throws IOException {
        RewriteInput.Collecting c = new RewriteInput.Collecting();
        StreamReader.read(ch, c, options);
        return c.input(written, input.container());
    }

    /** Compares a re-read output with what the rewrite meant to write; throws at the first difference. */
    static List<String> check(Path written, RewriteInput input, Reread r, ExpectedOutput exp, RewritePlan plan,
                              RewriteOptions o) {
        List<String> checks = new ArrayList<>();
        if (input.container().isEmpty() && SaveImage.open(written).kind() != SaveImage.Kind.QEMU_STREAM) {
            throw failed(written, "it does not read back as a bare stream");
        }
        RewriteInput out = r.output();
        StreamSummary s = out.summary();
        if (input.container().isEmpty()) {
            long size = sizeOf(written);
            if (size != s.totalBytes()) { // a re-read that stopped at the stream's end would not see what follows
                throw failed(written, String.format("%,d bytes follow the stream's end at %,d", size - s.totalBytes(),
                        s.totalBytes()));
            }
        }
        checks.add(String.format("re-read the output in full: %,d stream bytes decoded, %d sections, %,d data and %,d"
                + " zero pages", s.totalBytes(), s.sections().size(), s.dataPages(), s.zeroPages()));

        if (out.deviceStart() != exp.deviceStart() || r.prefixMismatch() != null) {
            throw failed(written, "the bytes before the device state differ from the input's ("
                    + (r.prefixMismatch() != null ? r.prefixMismatch() : "device state at " + out.deviceStart()
                    + " instead of " + exp.deviceStart()) + ")");
        }
        checks.add("header, configuration and RAM (bytes 0.." + exp.deviceStart() + "): " + r.prefix());
        checks.addAll(r.deviceState() != null ? r.deviceState() : checkDeviceState(written, out, exp, plan, o));
        return checks;
    }

    private static long sizeOf(Path written) {
        try {
            return Files.size(written);
        } catch (IOException e) {
            throw failed(written, "its size cannot be read (" + SafeFiles.reason(e) + ")");
        }
    }

    /**
     * Compares a re-read device state (sections, commands, EOF and trailer: {@code out} may hold only the output's
     * ends) with what the rewrite meant to write, and runs the model on it; throws at the first difference.
     */
    static List<String> checkDeviceState(Path written, RewriteInput out, ExpectedOutput exp, RewritePlan plan,
                                         RewriteOptions o) {
        List<String> checks = new ArrayList<>();
        StreamSummary s = out.summary();
        if (out.deviceStart() != exp.deviceStart()) {
            throw failed(written, "the device state starts at " + out.deviceStart() + " instead of "
                    + exp.deviceStart());
        }
        compareDevices(written, out.devices(), exp.devices());
        compareKeptValues(written, out.devices(), plan);
        if (!sameCommands(out.deviceCommands(), exp.commands())) {
            throw failed(written, "the commands among the device sections differ from the input's");
        }
        checks.add(exp.devices().size() + " device sections in the input's order: all but the cpu sections byte for "
                + "byte, cpu sections only with the planned cpreg arrays (sorted, unique; every kept register with "
                + "its input value)");

        byte[] wantVmdesc = exp.vmdesc() == null ? null : exp.vmdesc().encode();
        byte[] gotVmdesc = s.vmdesc() == null ? null : s.vmdesc().encode();
        if (!Arrays.equals(wantVmdesc, gotVmdesc)) {
            throw failed(written, "the vmdesc trailer is not the input's with the new array_len values");
        }
        long wantEof = exp.deviceStart() + exp.deviceBytes();
        if (s.eofOffset() != wantEof) {
            throw failed(written, "EOF at " + s.eofOffset() + " instead of " + wantEof);
        }
        if (wantVmdesc != null) {
            checks.add("vmdesc trailer: the input's, with array_len updated for the changed arrays");
        }

        Profile rewritten = StreamProfiles.fromSummary(s, written.toString(), "stream");
        CheckResult verdict = MigrationCheck.run(rewritten, o.destination(), o.settings(), o.destination().kvmValueRule());
        if (!verdict.loads()) {
            throw failed(written, "the model says the destination refuses it: " + verdict.firstError());
        }
        checks.add("model: the destination (" + o.settings().semantics().label() + ", "
                + o.settings().accel().label() + ") loads it");
        return checks;
    }

    private static void compareDevices(Path written, List<DeviceSection> got, List<DeviceSection> want) {
        if (got.size() != want.size()) {
            throw failed(written, got.size() + " device sections, the input has " + want.size());
        }
        for (int i = 0; i < want.size(); i++) {
            DeviceSection g = got.get(i);
            DeviceSection w = want.get(i);
            if (!sameHeader(g.header(), w.header()) || (g.cpu() == null) != (w.cpu() == null)
                    || !Arrays.equals(g.currentBody(), w.currentBody())) {
                throw failed(written, "device section " + i + " (" + w.header().describe() + ") is not "
                        + (w.cpu() == null ? "the input's" : "the input's with the planned cpreg arrays"));
            }
        }
    }

    /** Belt and braces over the planner: a register the plan does not list as changed keeps its input value. */
    private static void compareKeptValues(Path written, List<DeviceSection> got, RewritePlan plan) {
        for (DeviceSection d : got) {
            CpuSection cpu = d.cpu();
            if (cpu == null) {
                continue;
            }
            VcpuRewrite r = plan.vcpu(cpu.instanceId());
            if (r == null) {
                throw failed(written, "cpu " + cpu.instanceId() + " was not planned");
            }
            Set<Long> changed = new HashSet<>();
            r.changes().forEach(ch -> changed.add(ch.id().value()));
            CpregArray before = r.before();
            long[] ids = cpu.ids();
            long[] values = cpu.values();
            for (int i = 0; i < ids.length; i++) {
                if (changed.contains(ids[i])) {
                    continue;
                }
                int j = before.indexOf(ids[i]);
                if (j < 0 || before.value(j) != values[i]) {
                    throw failed(written, "cpu " + cpu.instanceId() + ": kept register "
                            + RegCatalog.get().name(RegId.of(ids[i])) + " does not have its input value");
                }
            }
        }
    }

    private static boolean sameHeader(SectionHeader a, SectionHeader b) {
        return a.type() == b.type() && a.sectionId() == b.sectionId() && Objects.equals(a.idstr(), b.idstr())
                && a.instanceId() == b.instanceId() && a.versionId() == b.versionId();
    }

    private static boolean sameCommands(List<VmCommand> a, List<VmCommand> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i).cmd() != b.get(i).cmd() || !Arrays.equals(a.get(i).data(), b.get(i).data())) {
                return false;
            }
        }
        return true;
    }

    static RegshimException failed(Path written, String what) {
        return new RegshimException("verification of the rewritten stream failed (" + written + "): " + what
                + "; nothing was written");
    }
}
