package dev.regshim.kernel;

/**
 * A host as far as its register list is concerned: a kernel release and a feature set. Written as a spec string,
 * {@code VERSION} followed by {@code +feature}/{@code -feature} modifiers applied to the defaults (PMU on, rest off):
 * {@code 6.13}, {@code v6.13+sve+pauth}, {@code 6.18+el2+e2h0}, {@code 6.1+clidr=0x23}, {@code 6.12.77+s1poe+nopoe}.
 *
 * <p>The version is a series ({@code 6.12}, meaning its first release) or a point release ({@code 6.12.77}): stable
 * point releases can change the list, and {@link #visibleFeatures()} applies the ones known:
 * <ul>
 *   <li>"KVM: arm64: Hide S1POE from guests when not supported by the host" (7.0, and stable 6.12.77 per Debian's
 *       changelog): a kernel built without {@code CONFIG_ARM64_POE} ({@code +nopoe}) clears ID_AA64MMFR3_EL1.S1POE
 *       for guests, so POR_EL0/POR_EL1 are no longer listed on FEAT_S1POE hosts. 6.18.y and 6.19.y also took it,
 *       at a point release not known here (after 6.18.3 and 6.19.6): regshim assumes they have not.</li>
 * </ul>
 *
 * @param patch the point release, or {@link #SERIES} for the series' first release
 */
public record KernelHost(KernelVersion version, int patch, KernelFeatures features) {

    /** {@link #patch()} when the spec names only the series. */
    public static final int SERIES = -1;

    /** The first point release of 6.12 with the S1POE hiding. */
    static final int POE_HIDING_6_12 = 77;

    public KernelHost(KernelVersion version, KernelFeatures features) {
        this(version, SERIES, features);
    }

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
        String version = s.substring(0, cut).strip();
        KernelVersion v = KernelVersion.parse(version);
        return new KernelHost(v, patchOf(version), KernelFeatures.parse(s.substring(cut)));
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

    /** The third number of {@code 6.12.77}, or {@link #SERIES}. */
    static int patchOf(String version) {
        String[] parts = version.replaceFirst("^[vV]", "").split("\\.");
        return parts.length >= 3 ? Integer.parseInt(parts[2]) : SERIES;
    }

    /** The same host at another point release. */
    public KernelHost atPatch(int newPatch) {
        return new KernelHost(version, newPatch, features);
    }

    /**
     * The features the VM's ID registers show on this release: {@link #features()} without the host features a
     * point release hides from guests (see the class comment).
     */
    public KernelFeatures visibleFeatures() {
        if (hidesPoe()) {
            return features.without(KernelFeature.S1POE);
        }
        return features;
    }

    /** Whether this release, built without CONFIG_ARM64_POE, hides FEAT_S1POE from its guests. */
    public boolean hidesPoe() {
        if (!features.has(KernelFeature.NOPOE) || !features.has(KernelFeature.S1POE)) {
            return false;
        }
        return version.atLeast(7, 0) || (version.major() == 6 && version.minor() == 12 && patch >= POE_HIDING_6_12);
    }

    public static KernelHost of(String version) {
        return new KernelHost(KernelVersion.parse(version), KernelFeatures.defaults());
    }

    public boolean inferred() {
        return version.inferred();
    }

    /**
     * The canonical spec, which {@link #parse} turns back into this host: version (with its point release when
     * given), every enabled feature, and {@code -pmu} when the default PMU is off: {@code 6.13+pmu}, {@code 6.13-pmu}.
     */
    public String spec() {
        String off = features.has(KernelFeature.PMU) ? "" : "-" + KernelFeature.PMU.specName();
        return release() + features.suffix() + off;
    }

    /** {@code 6.12} or {@code 6.12.77}. */
    public String release() {
        return patch == SERIES ? version.toString() : version + "." + patch;
    }

    @Override
    public String toString() {
        return spec();
    }
}
