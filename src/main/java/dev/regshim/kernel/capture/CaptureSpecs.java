package dev.regshim.kernel.capture;

import dev.regshim.kernel.HostFeatures;
import dev.regshim.kernel.KernelFeature;
import dev.regshim.kernel.KernelFeatures;
import dev.regshim.kernel.KernelHost;
import dev.regshim.kernel.KernelRegDb;
import dev.regshim.kernel.KernelRegList;
import dev.regshim.kernel.KernelSpecException;
import dev.regshim.kernel.KernelVersion;
import dev.regshim.regs.RegSetDiff;
import dev.regshim.util.Errno;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a capture maps onto the kernel table: the {@link KernelHost} spec a captured set stands for (the kernel's
 * release, the set's vCPU features, and the host features its own ID registers show), and how the table's list for
 * that spec compares with what the kernel really listed.
 */
public final class CaptureSpecs {

    private static final Pattern RELEASE = Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    private CaptureSpecs() {
    }

    /** The table's spec for a probed set, or empty when the kernel's series is not in the table. */
    public static Optional<KernelHost> spec(KvmCapture c, CapturedSet s) {
        if (!s.offered()) {
            return Optional.empty();
        }
        String upstream = c.kernel().upstream() != null ? c.kernel().upstream() : c.kernel().release();
        Matcher m = RELEASE.matcher(upstream == null ? "" : upstream);
        if (!m.find()) {
            return Optional.empty();
        }
        KernelVersion v;
        try {
            v = KernelVersion.parse(m.group(1) + "." + m.group(2));
        } catch (KernelSpecException e) {
            return Optional.empty();
        }
        KernelFeatures f = HostFeatures.of(s.features(), s::value);
        if (v.atLeast(6, 3)) {
            f = f.withHostClidr(KernelFeatures.DEFAULT_HOST_CLIDR); // the list no longer depends on it
        }
        if (builtWithoutPoe(c)) {
            f = f.with(KernelFeature.NOPOE);
        }
        int patch = m.group(3) == null ? KernelHost.SERIES : Integer.parseInt(m.group(3));
        return Optional.of(new KernelHost(v, patch, f));
    }

    /** The spec as {@code kernel show} takes it, or null when the series is unknown. */
    public static String specText(KvmCapture c, CapturedSet s) {
        return spec(c, s).map(KernelHost::spec).orElse(null);
    }

    /** The table's list for the set's spec against the captured list (left: captured, right: table). */
    /** Whether the kernel table agrees with every set (a set KVM did not offer agrees when no table exists). */
    public static boolean agreesWithTable(KvmCapture c) {
        boolean agrees = true;
        for (CapturedSet s : c.sets()) {
            agrees &= againstTable(c, s).map(RegSetDiff::isEmpty).orElse(!s.offered());
        }
        return agrees;
    }

    public static Optional<RegSetDiff> againstTable(KvmCapture c, CapturedSet s) {
        return spec(c, s).map(h -> {
            KernelRegList l = KernelRegDb.listing(h);
            return s.regs().diff(l.regs());
        });
    }

    /** A kernel built without CONFIG_ARM64_POE, when its configuration is known. */
    static boolean builtWithoutPoe(KvmCapture c) {
        String poe = c.kernel().config().get("CONFIG_ARM64_POE");
        return poe != null && !poe.equals("y");
    }

    /** Why KVM refused a set, in one sentence. */
    public static String whyRefused(KvmCapture c, CapturedSet s) {
        CapturedSet.Refusal r = s.refusal();
        String step = "KVM refused it at " + r.step() + " (" + Errno.name(r.errno()) + ")";
        if (s.features().contains(KernelFeature.MTE) && c.cap("MTE") <= 0) {
            return "KVM_CAP_ARM_MTE is 0: the host has no MTE (" + step + ")";
        }
        if (s.features().contains(KernelFeature.EL2) && c.cap("EL2") <= 0) {
            return "KVM_CAP_ARM_EL2 is 0: nested virtualization needs a host with FEAT_NV2, a kernel that supports it "
                    + "and kvm-arm.mode=nested (" + step + ")";
        }
        if (s.features().contains(KernelFeature.E2H0) && c.cap("EL2_E2H0") <= 0) {
            return "KVM_CAP_ARM_EL2_E2H0 is 0: the kernel or host cannot limit nested virt to nVHE (" + step + ")";
        }
        if (s.features().contains(KernelFeature.SVE) && c.cap("SVE") <= 0) {
            return "KVM_CAP_ARM_SVE is 0: the host has no SVE (" + step + ")";
        }
        if (s.features().contains(KernelFeature.PAUTH) && (c.cap("PTRAUTH_ADDRESS") <= 0 || c.cap("PTRAUTH_GENERIC") <= 0)) {
            return "KVM_CAP_ARM_PTRAUTH_ADDRESS/GENERIC are 0: the host has no pointer authentication (" + step + ")";
        }
        if (s.features().contains(KernelFeature.PMU) && c.cap("PMU_V3") <= 0) {
            return "KVM_CAP_ARM_PMU_V3 is 0: the host has no PMU (" + step + ")";
        }
        return step;
    }
}
