package dev.regshim.kernel;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An immutable vCPU/host feature set, written as modifiers on the defaults: {@code +sve-pmu+clidr=0x23}.
 *
 * <p>The default is the seed scenario's host: PMU on, everything else off (no SVE, no pointer authentication, no MTE,
 * no nested virt, and a host CPU without FEAT_TCR2/S1PIE/S1POE/SCTLR2/FPMR/FGT).
 *
 * <p>{@code clidr=HEX} sets the host's CLIDR_EL1, which only v6.1 uses: before the v6.3 "Normalize cache
 * configuration" change, KVM listed one DEMUX CCSIDR ID per cache the host CLIDR describes. The default
 * {@link #DEFAULT_HOST_CLIDR} describes split L1 I/D caches and a unified L2 (3 CCSIDR IDs), as on Cortex-A72 or
 * Neoverse-N1 class hosts.
 *
 * <p>Implications (as KVM requires them): {@code +e2h0} adds {@code el2}, {@code -el2} drops {@code e2h0};
 * {@code +fgt2} adds {@code fgt}, {@code -fgt} drops {@code fgt2}.
 */
public final class KernelFeatures {

    /** CLIDR_EL1 with Ctype1 = 3 (separate I/D), Ctype2 = 4 (unified), LoUIS 1, LoC 2, LoUU 1. */
    public static final long DEFAULT_HOST_CLIDR = 0x0a20_0023L;

    static final String CLIDR_KEY = "clidr";
    private static final char ADD = '+';
    private static final char REMOVE = '-';

    private static final KernelFeatures DEFAULTS = new KernelFeatures(EnumSet.of(KernelFeature.PMU), DEFAULT_HOST_CLIDR);

    private final Set<KernelFeature> enabled;
    private final long hostClidr;

    private KernelFeatures(Set<KernelFeature> enabled, long hostClidr) {
        this.enabled = Collections.unmodifiableSet(copy(enabled));
        this.hostClidr = hostClidr;
    }

    /** PMU on, everything else off, default host CLIDR. */
    public static KernelFeatures defaults() {
        return DEFAULTS;
    }

    /** Exactly these features (no defaults added), default host CLIDR. */
    public static KernelFeatures of(KernelFeature... features) {
        EnumSet<KernelFeature> s = EnumSet.noneOf(KernelFeature.class);
        s.addAll(Arrays.asList(features));
        return new KernelFeatures(s, DEFAULT_HOST_CLIDR).closed();
    }

    /**
     * Applies modifiers such as {@code +pmu+sve-pauth+clidr=0x23} to the defaults. An empty string gives the
     * defaults. Unknown names raise {@link KernelSpecException} listing the valid ones.
     */
    public static KernelFeatures parse(String modifiers) {
        return DEFAULTS.apply(modifiers);
    }

    /** Applies modifiers to this set (left to right). */
    public KernelFeatures apply(String modifiers) {
        String s = modifiers == null ? "" : modifiers.strip();
        EnumSet<KernelFeature> set = copy(enabled);
        long clidr = hostClidr;
        int i = 0;
        while (i < s.length()) {
            char sign = s.charAt(i);
            if (sign != ADD && sign != REMOVE) {
                throw new KernelSpecException("bad feature modifiers '" + s + "': expected +name or -name at '" + s.substring(i) + "'");
            }
            int end = i + 1;
            while (end < s.length() && s.charAt(end) != ADD && s.charAt(end) != REMOVE) {
                end++;
            }
            String token = s.substring(i + 1, end).strip().toLowerCase(Locale.ROOT);
            if (token.startsWith(CLIDR_KEY + "=")) {
                if (sign != ADD) {
                    throw new KernelSpecException("'-" + token + "': set the host CLIDR with +clidr=0x...");
                }
                clidr = parseClidr(token.substring(CLIDR_KEY.length() + 1));
            } else {
                KernelFeature f = KernelFeature.byName(token).orElseThrow(() -> new KernelSpecException(
                        "unknown kernel feature '" + token + "'; valid: " + validNames()));
                if (sign == ADD) {
                    set.add(f);
                    addImplied(set, f);
                } else {
                    set.remove(f);
                    removeDependents(set, f);
                }
            }
            i = end;
        }
        return new KernelFeatures(set, clidr);
    }

    private static EnumSet<KernelFeature> copy(Set<KernelFeature> s) {
        EnumSet<KernelFeature> out = EnumSet.noneOf(KernelFeature.class);
        out.addAll(s);
        return out;
    }

    private KernelFeatures closed() {
        EnumSet<KernelFeature> set = copy(enabled);
        for (KernelFeature f : enabled) {
            addImplied(set, f);
        }
        return new KernelFeatures(set, hostClidr);
    }

    private static void addImplied(Set<KernelFeature> set, KernelFeature f) {
        if (f == KernelFeature.E2H0) {
            set.add(KernelFeature.EL2);
        } else if (f == KernelFeature.FGT2) {
            set.add(KernelFeature.FGT);
        }
    }

    private static void removeDependents(Set<KernelFeature> set, KernelFeature f) {
        if (f == KernelFeature.EL2) {
            set.remove(KernelFeature.E2H0);
        } else if (f == KernelFeature.FGT) {
            set.remove(KernelFeature.FGT2);
        }
    }

    private static long parseClidr(String v) {
        try {
            String t = v.replace("_", "");
            long clidr = t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseUnsignedLong(t);
            if (clidr < 0) {
                throw new NumberFormatException();
            }
            return clidr;
        } catch (NumberFormatException e) {
            throw new KernelSpecException("bad CLIDR_EL1 value '" + v + "' (expected e.g. clidr=0x0a200023)");
        }
    }

    /** Every feature name a spec accepts (aliases in parentheses), plus {@code clidr=HEX}. */
    public static String validNames() {
        return Arrays.stream(KernelFeature.values())
                .map(f -> f.aliases().isEmpty() ? f.specName() : f.specName() + " (alias " + String.join(", ", f.aliases()) + ")")
                .collect(Collectors.joining(", ")) + ", clidr=HEX";
    }

    public boolean has(KernelFeature f) {
        return enabled.contains(f);
    }

    public Set<KernelFeature> enabled() {
        return enabled;
    }

    /** The host CLIDR_EL1 (only v6.1's DEMUX list depends on it). */
    public long hostClidr() {
        return hostClidr;
    }

    public KernelFeatures with(KernelFeature f) {
        return apply("+" + f.specName());
    }

    public KernelFeatures without(KernelFeature f) {
        return apply("-" + f.specName());
    }

    public KernelFeatures withHostClidr(long clidr) {
        return new KernelFeatures(enabled, clidr);
    }

    /**
     * Canonical modifiers: every enabled feature as {@code +name} in a fixed order, then {@code +clidr=0x..} when
     * it is not the default. {@code parse(suffix())} gives an equal object when applied to an empty set.
     */
    public String suffix() {
        StringBuilder sb = new StringBuilder();
        for (KernelFeature f : KernelFeature.values()) {
            if (enabled.contains(f)) {
                sb.append(ADD).append(f.specName());
            }
        }
        if (hostClidr != DEFAULT_HOST_CLIDR) {
            sb.append(ADD).append(CLIDR_KEY).append("=0x").append(Long.toHexString(hostClidr));
        }
        return sb.toString();
    }

    /** Parses a canonical {@link #suffix()} (features listed absolutely, defaults not added). */
    public static KernelFeatures parseAbsolute(String suffix) {
        return new KernelFeatures(EnumSet.noneOf(KernelFeature.class), DEFAULT_HOST_CLIDR).apply(suffix);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KernelFeatures && ((KernelFeatures) o).enabled.equals(enabled) && ((KernelFeatures) o).hostClidr == hostClidr;
    }

    @Override
    public int hashCode() {
        return enabled.hashCode() * 31 + Long.hashCode(hostClidr);
    }

    @Override
    public String toString() {
        String s = suffix();
        return s.isEmpty() ? "(none)" : s;
    }
}
