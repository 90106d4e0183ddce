package dev.regshim.kernel;

/**
 * A host as far as its register list is concerned: a kernel version and a feature set. Written as a spec string,
 * {@code VERSION} followed by {@code +feature}/{@code -feature} modifiers applied to the defaults (PMU on, rest off):
 * {@code 6.13}, {@code v6.13+sve+pauth}, {@code 6.18+el2+e2h0}, {@code 6.1+clidr=0x23}.
 */
public record KernelHost(KernelVersion version, KernelFeatures features) {

    public KernelHost {
        if (features.has(KernelFeature.E2H0) && !version.atLeast(6, 15)) {
            throw new KernelSpecException("feature e2h0 (KVM_ARM_VCPU_HAS_EL2_E2H0) does not exist before 6.15; "
                    + version + " has only el2");
        }
    }

    /** Parses {@code VERSION[+feature|-feature|+clidr=HEX]...}. */
    public static KernelHost parse(String spec) {
        String s = spec == null ? "" : spec.strip();
        if (s.isEmpty()) {
            throw new KernelSpecException("empty kernel spec (expected e.g. 6.13 or 6.13+sve-pmu)");
        }
        int cut = firstModifier(s);
        KernelVersion v = KernelVersion.parse(s.substring(0, cut));
        return new KernelHost(v, KernelFeatures.parse(s.substring(cut)));
    }

    private static int firstModifier(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+' || c == '-') {
                return i;
            }
        }
        return s.length();
    }

    public static KernelHost of(String version) {
        return new KernelHost(KernelVersion.parse(version), KernelFeatures.defaults());
    }

    public boolean inferred() {
        return version.inferred();
    }

    /** The canonical spec: version plus every enabled feature, e.g. {@code 6.13+pmu}. */
    public String spec() {
        return version + features.suffix();
    }

    @Override
    public String toString() {
        return spec();
    }
}
