package dev.regshim.lab;

import dev.regshim.util.SafeFiles;
import dev.regshim.RegshimException;
import dev.regshim.kernel.KernelFeature;
import dev.regshim.kernel.capture.CaptureJson;
import dev.regshim.kernel.capture.CapturedSet;
import dev.regshim.kernel.capture.KvmCapture;
import dev.regshim.regs.RegId;
import dev.regshim.util.Errno;
import dev.regshim.util.JsonInput;
import dev.regshim.util.Text;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code regshim kernel capture}: boots a real arm64 kernel in an outer QEMU whose CPU is the host, with the KVM probe
 * as {@code /init}, and turns what KVM answered into a {@link KvmCapture}. The kernel is a Debian version (fetched and
 * cached by {@link DebianKernels}), a Debian package file, or an Image file.
 */
public final class KernelCapturer {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(3);

    /** KVM_ARM_VCPU_INIT feature bits (uapi). */
    static final int PSCI_0_2 = 2;
    static final int PMU_V3 = 3;
    static final int SVE = 4;
    static final int PTRAUTH_ADDRESS = 5;
    static final int PTRAUTH_GENERIC = 6;
    static final int HAS_EL2 = 7;
    static final int HAS_EL2_E2H0 = 8;

    /** The vCPU feature sets every capture probes (where KVM refuses one, the capture says why). */
    public static final List<Set<KernelFeature>> SETS = List.of(
            EnumSet.noneOf(KernelFeature.class),
            EnumSet.of(KernelFeature.PMU),
            EnumSet.of(KernelFeature.PMU, KernelFeature.SVE),
            EnumSet.of(KernelFeature.PMU, KernelFeature.PAUTH),
            EnumSet.of(KernelFeature.PMU, KernelFeature.SVE, KernelFeature.PAUTH),
            EnumSet.of(KernelFeature.PMU, KernelFeature.MTE),
            EnumSet.of(KernelFeature.PMU, KernelFeature.SVE, KernelFeature.PAUTH, KernelFeature.MTE),
            EnumSet.of(KernelFeature.PMU, KernelFeature.EL2),
            EnumSet.of(KernelFeature.PMU, KernelFeature.SVE, KernelFeature.PAUTH, KernelFeature.EL2),
            EnumSet.of(KernelFeature.PMU, KernelFeature.EL2, KernelFeature.E2H0));

    /** Debian's {@code uname -v} names the build: "#1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-...)". */
    private static final Pattern DEBIAN_BUILD = Pattern.compile("Debian (\\d+\\.\\d+(?:\\.\\d+)?)");
    private static final Pattern RELEASE = Pattern.compile("^(\\d+\\.\\d+(?:\\.\\d+)?)");

    /**
     * @param kernel  a Debian version ({@code 7.3}, {@code 6.12.117}), a {@code .deb}, or an arm64 Image file
     * @param el2     false boots at EL1 (then the kernel has no KVM: for testing that failure)
     */
    public record Request(String kernel, LabHost host, Duration timeout, boolean el2, List<Trial> trials) {

        public Request(String kernel, LabHost host, Duration timeout, boolean el2) {
            this(kernel, host, timeout, el2, List.of());
        }
    }

    /**
     * Values to write into a fresh vCPU of {@code set} after the probe, in order (as QEMU writes its cpreg list after
     * a migration). {@code label}: a name without spaces.
     */
    public record Trial(String label, String set, List<long[]> values) {

        /**
         * A trial of another capture's values ({@code FILE[#SET]}; default set: the one {@code -cpu host} runs): its
         * set's cpreg list, sorted by ID as QEMU's is.
         */
        public static Trial fromCapture(String spec) {
            int hash = spec.lastIndexOf('#');
            String file = hash > 0 ? spec.substring(0, hash) : spec;
            KvmCapture other = CaptureJson.read(JsonInput.read(Path.of(file), CaptureJson.MAX_FILE_BYTES));
            CapturedSet set = hash > 0 ? other.set(spec.substring(hash + 1)).filter(CapturedSet::offered)
                    .orElseThrow(() -> new RegshimException(file + ": no offered vCPU set '"
                            + Text.safe(spec.substring(hash + 1), 40) + "'"))
                    : other.cpuHostDefault().orElseThrow(() -> new RegshimException(file
                    + ": no set -cpu host runs; name one with #SET"));
            List<long[]> values = new java.util.ArrayList<>();
            for (RegId id : set.cpregs()) {
                set.value(id).ifPresent(v -> values.add(new long[]{id.value(), v}));
            }
            String label = (other.kernel().upstream() == null ? "capture" : other.kernel().upstream()) + "-" + set.name();
            return new Trial(label, set.name(), values);
        }

        public Trial {
            if (!label.matches("[A-Za-z0-9._+@:-]{1,60}")) {
                throw new IllegalArgumentException("bad trial label " + label);
            }
            values = List.copyOf(values);
        }
    }

    private final Consumer<String> progress;

    public KernelCapturer(Consumer<String> progress) {
        this.progress = progress;
    }

    public KvmCapture capture(Request r) {
        KernelFiles kernel = resolve(r.kernel());
        Path probe = LabResources.probe(progress);
        Map<String, Set<KernelFeature>> sets = new LinkedHashMap<>();
        StringBuilder spec = new StringBuilder();
        for (Set<KernelFeature> s : SETS) {
            String name = KvmCapture.setName(s);
            sets.put(name, s);
            spec.append(spec.length() == 0 ? "" : ",").append(name).append(':').append(Integer.toHexString(bits(s)));
            if (s.contains(KernelFeature.MTE)) {
                spec.append(":mte");
            }
        }
        String append = "console=ttyAMA0 loglevel=1 panic=-1 kvm-arm.mode=nested rdinit=/init regshim.sets=" + spec;
        Path work = null;
        try {
            work = Files.createTempDirectory("regshim-capture-");
            Path initrd = work.resolve("initrd.cpio");
            writeInitramfs(initrd, probe, tryFile(r.trials()));
            progress.accept("booting " + kernel.describe() + " on " + r.host().label() + " (QEMU "
                    + r.host().qemu().version().number() + ")");
            Map<String, List<long[]>> trialValues = new LinkedHashMap<>();
            r.trials().forEach(tr -> trialValues.put(tr.label(), tr.values()));
            ProbeTranscript t = new ProbeTranscript(sets, trialValues);
            OuterVm.Outcome o = OuterVm.boot(r.host(), kernel.image(), initrd, append, r.el2(), r.timeout(), t::line);
            check(o, t, kernel, r);
            progress.accept(String.format("%s answered in %.1f s (%d sets)", t.release(), o.millis() / 1000.0,
                    t.sets().size()));
            return new KvmCapture(kernelInfo(kernel, t), new KvmCapture.Host(r.host().qemu().version().number(),
                    r.host().cpu(), o.machine(), t.midr()), t.cmdline(), t.caps(), t.sets(), t.trials());
        } catch (IOException e) {
            throw new LabException("cannot prepare the capture boot: " + SafeFiles.reason(e));
        } finally {
            SafeFiles.deleteTree(work);
        }
    }

    /** A version, a .deb or an Image file. */
    KernelFiles resolve(String kernel) {
        Path p = Path.of(kernel);
        if (Files.isRegularFile(p)) {
            return DebFile.looksLikeDeb(p) ? new DebianKernels(progress).unpack(p, false) : KernelFiles.bareImage(p);
        }
        if (Files.exists(p)) {
            throw new LabException(kernel + ": not a regular file (a kernel is a Debian version, a .deb or an Image file)");
        }
        if (!DebianKernels.VERSION.matcher(kernel).matches()) {
            throw new LabException(dev.regshim.util.Text.safe(kernel, 80) + ": no such file, and not a kernel version "
                    + "(expected e.g. 7.3, 6.12.117, a .deb or an arm64 Image file)");
        }
        return new DebianKernels(progress).fetch(kernel, false);
    }

    static int bits(Set<KernelFeature> s) {
        int b = 1 << PSCI_0_2;
        if (s.contains(KernelFeature.PMU)) {
            b |= 1 << PMU_V3;
        }
        if (s.contains(KernelFeature.SVE)) {
            b |= 1 << SVE;
        }
        if (s.contains(KernelFeature.PAUTH)) {
            b |= (1 << PTRAUTH_ADDRESS) | (1 << PTRAUTH_GENERIC);
        }
        if (s.contains(KernelFeature.EL2)) {
            b |= 1 << HAS_EL2;
        }
        if (s.contains(KernelFeature.E2H0)) {
            b |= 1 << HAS_EL2_E2H0;
        }
        return b;
    }

    private static void writeInitramfs(Path target, Path probe, byte[] tryFile) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(target)); Cpio cpio = new Cpio(out)) {
            cpio.directory("dev");
            cpio.charDevice("dev/console", 0600, 5, 1);
            cpio.directory("proc");
            cpio.directory("sys");
            cpio.file("init", 0755, probe);
            if (tryFile.length > 0) {
                cpio.file("try.txt", 0644, tryFile);
            }
        }
    }

    /** The probe's /try.txt: per trial "set NAME LABEL", then "ID VALUE" lines. */
    static byte[] tryFile(List<Trial> trials) {
        StringBuilder b = new StringBuilder();
        for (Trial t : trials) {
            b.append("set ").append(t.set()).append(' ').append(t.label()).append('\n');
            for (long[] v : t.values()) {
                b.append(String.format("%016x %016x%n", v[0], v[1]));
            }
        }
        return b.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static void check(OuterVm.Outcome o, ProbeTranscript t, KernelFiles kernel, Request r) {
        String what = kernel.describe() + " on " + r.host().label();
        if (o.timedOut()) {
            throw new LabException(what + ": no answer within " + r.timeout().toSeconds() + " s" + lastWords(t));
        }
        if (!t.started()) {
            if (o.exitStatus().orElse(0) != 0) {
                throw new LabException(what + ": the outer QEMU failed (status " + o.exitStatus().getAsInt() + ")"
                        + (o.stderr().isEmpty() ? "" : ": " + dev.regshim.util.Text.safe(o.stderr().get(0), 160)));
            }
            throw new LabException(what + ": the kernel did not start the probe" + lastWords(t));
        }
        if (t.kvmAbsentErrno() != null) {
            throw new LabException(what + ": the kernel has no KVM (/dev/kvm: " + Errno.name(t.kvmAbsentErrno())
                    + "); it needs to boot at EL2, with KVM built in");
        }
        if (t.error() != null) {
            throw new LabException(what + ": " + t.error());
        }
        if (!t.done()) {
            throw new LabException(what + ": the probe stopped before it finished" + lastWords(t));
        }
    }

    private static String lastWords(ProbeTranscript t) {
        List<String> c = t.context();
        return c.isEmpty() ? "" : "; last console line: " + dev.regshim.util.Text.safe(c.get(c.size() - 1), 120);
    }

    private static KvmCapture.Kernel kernelInfo(KernelFiles k, ProbeTranscript t) {
        String upstream = k.upstream();
        if (upstream == null && t.unameVersion() != null) {
            Matcher m = DEBIAN_BUILD.matcher(t.unameVersion());
            upstream = m.find() ? m.group(1) : null;
        }
        if (upstream == null && t.release() != null) {
            Matcher m = RELEASE.matcher(t.release());
            upstream = m.find() ? m.group(1) : null;
        }
        return new KvmCapture.Kernel(t.release(), t.unameVersion(), upstream, k.origin(), k.packageName(),
                k.packageVersion(), k.suite(), k.sha256(), k.config());
    }
}
