package dev.regshim.kernel.capture;

import dev.regshim.kernel.KernelFeature;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One boot of a real arm64 kernel with KVM, asked what each vCPU feature set exposes: the kernel (release and where it
 * came from), the host it ran on (the outer QEMU and its CPU model, identified for real by the ID register values KVM
 * reports), KVM's capabilities, and per feature set the register list with reset values or KVM's refusal.
 */
public record KvmCapture(Kernel kernel, Host host, String bootArguments, Map<String, Integer> caps,
                         List<CapturedSet> sets, List<ValueTrial> trials) {

    /**
     * The kernel that was booted.
     *
     * @param release       {@code uname -r}, e.g. {@code 7.3.4+deb13-arm64}
     * @param unameVersion  {@code uname -v}, which names the Debian build
     * @param upstream      the upstream release, e.g. {@code 7.3.4}
     * @param origin        "debian", "deb" or "image" (how the user named it)
     * @param packageName   the Debian package, when it came from one
     * @param config        the build options that matter (CONFIG_ARM64_POE=y ...), when a config was shipped
     */
    public record Kernel(String release, String unameVersion, String upstream, String origin, String packageName,
                         String packageVersion, String suite, String sha256, Map<String, String> config) {
        public Kernel {
            config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
        }
    }

    /**
     * The host: the outer QEMU and the CPU model it emulated. These are labels; the host's real identity is what
     * KVM reports (the ID registers in each set).
     *
     * @param machine the outer machine options, e.g. {@code virt,virtualization=on,gic-version=3,mte=on}
     * @param midr    MIDR_EL1 as the booted kernel read it
     */
    public record Host(String qemuVersion, String cpu, String machine, String midr) {
    }

    public KvmCapture {
        caps = Collections.unmodifiableMap(new LinkedHashMap<>(caps));
        sets = List.copyOf(sets);
        trials = trials == null ? List.of() : List.copyOf(trials);
    }

    public KvmCapture(Kernel kernel, Host host, String bootArguments, Map<String, Integer> caps, List<CapturedSet> sets) {
        this(kernel, host, bootArguments, caps, sets, List.of());
    }

    /** The kernel's {major, minor} from its upstream version or release string; {0, 0} when neither says. */
    public int[] releaseNumbers() {
        String up = kernel.upstream() != null ? kernel.upstream() : kernel.release();
        java.util.regex.Matcher m = RELEASE.matcher(up == null ? "" : up);
        return m.find() ? new int[]{Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))} : new int[]{0, 0};
    }

    /** ID_AA64MMFR2_EL1.NV of a host whose KVM offers nested virtualization: KVM requires FEAT_NV2 for it. */
    static final long NV2 = 2;

    /**
     * The host hardware's value of ID fields KVM hides from its vCPUs, as far as this boot shows it (keyed
     * {@code REGISTER.FIELD}): MMFR2.NV is NV2 when some vCPU set with EL2 was offered (KVM's nested virtualization
     * requires FEAT_NV2). A CPU offering NV2 only through MMFR4.NV_frac (NV field 0) is not told apart; on it older
     * kernels listed NV 0, so streams from them carry no NV value to drop.
     */
    public Map<String, Long> hardwareFields() {
        boolean nested = sets.stream().anyMatch(s -> s.offered() && s.features().contains(KernelFeature.EL2));
        return nested ? Map.of("ID_AA64MMFR2_EL1.NV", NV2) : Map.of();
    }

    /** What this kernel's KVM_SET_ONE_REG accepts into one of its vCPU sets. */
    public dev.regshim.cpreg.KvmWriteRules writeRules(CapturedSet set) {
        return dev.regshim.cpreg.KvmWriteRules.of(releaseNumbers(), set.masks(), hardwareFields());
    }

    private static final java.util.regex.Pattern RELEASE = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)");

    public Optional<CapturedSet> set(String name) {
        return sets.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public int cap(String name) {
        return caps.getOrDefault(name, 0);
    }

    /**
     * The set {@code -cpu host} would run: PMU, SVE and pointer authentication wherever KVM offers them (QEMU turns
     * each on by default when its capability is there), no nested virt and no MTE (those need
     * {@code virtualization=on} / {@code mte=on}).
     */
    public Optional<CapturedSet> cpuHostDefault() {
        Set<KernelFeature> want = EnumSet.noneOf(KernelFeature.class);
        if (cap("PMU_V3") > 0) {
            want.add(KernelFeature.PMU);
        }
        if (cap("SVE") > 0) {
            want.add(KernelFeature.SVE);
        }
        if (cap("PTRAUTH_ADDRESS") > 0 && cap("PTRAUTH_GENERIC") > 0) {
            want.add(KernelFeature.PAUTH);
        }
        return sets.stream().filter(s -> s.offered() && s.features().equals(want)).findFirst();
    }

    /** The name a set of features gets: its features joined with '+', in {@link KernelFeature} order. */
    public static String setName(Set<KernelFeature> features) {
        if (features.isEmpty()) {
            return "none";
        }
        StringBuilder b = new StringBuilder();
        for (KernelFeature f : KernelFeature.values()) {
            if (features.contains(f)) {
                b.append(b.length() == 0 ? "" : "+").append(f.specName());
            }
        }
        return b.toString();
    }
}
