package dev.regshim.kernel;

import java.util.Map;
import java.util.Set;

import static dev.regshim.kernel.KernelFeature.E2H0;
import static dev.regshim.kernel.KernelFeature.EL2;
import static dev.regshim.kernel.KernelFeature.FGT;
import static dev.regshim.kernel.KernelFeature.FGT2;
import static dev.regshim.kernel.KernelFeature.FPMR;
import static dev.regshim.kernel.KernelFeature.MTE;
import static dev.regshim.kernel.KernelFeature.PAUTH;
import static dev.regshim.kernel.KernelFeature.PMU;
import static dev.regshim.kernel.KernelFeature.S1PIE;
import static dev.regshim.kernel.KernelFeature.S1POE;
import static dev.regshim.kernel.KernelFeature.SCTLR2;
import static dev.regshim.kernel.KernelFeature.SVE;
import static dev.regshim.kernel.KernelFeature.TCR2;

/**
 * Evaluates the {@code .visibility} functions of {@code sys_reg_descs} entries (visibility-conditions.tsv) on a
 * feature set: does {@code walk_one_sys_reg} emit the entry?
 *
 * <p>Two functions need a judgement the tables leave open, both documented where they are defined:
 * {@code sme_visibility} is never true (every kernel read masks SME out of the guest's ID_AA64PFR1_EL1), and
 * {@code vncr_el2_visibility} (NV_frac &ge; NV2_ONLY) is taken as "el2 and not e2h0", because KVM's nested-virt
 * limit advertises NV2_ONLY for VHE guest hypervisors and clears ID_AA64MMFR4_EL1 for the E2H0 (nVHE) variant.
 */
final class Visibility {

    /** Entries without a visibility function, and the ID-register ones that are RAZ but still listed. */
    static final Set<String> ALWAYS = Set.of("-", "NULL", "id_visibility", "aa32_id_visibility", "raz_visibility");
    /** REG_HIDDEN / REG_HIDDEN_USER: never in the list. */
    static final Set<String> NEVER = Set.of("elx2_visibility", "hidden_user_visibility", "hidden_visibility", "sme_visibility");

    /** What a gated visibility function needs: features that must be on, and features that must be off. */
    record Gate(Set<KernelFeature> required, Set<KernelFeature> forbidden) {

        boolean open(KernelFeatures f) {
            return f.enabled().containsAll(required) && forbidden.stream().noneMatch(f::has);
        }

        /** The modifiers a spec lacks for this gate, e.g. {@code +tcr2} or {@code -e2h0}. */
        String missing(KernelFeatures f) {
            StringBuilder sb = new StringBuilder();
            required.stream().filter(x -> !f.has(x)).forEach(x -> sb.append('+').append(x.specName()));
            forbidden.stream().filter(f::has).forEach(x -> sb.append('-').append(x.specName()));
            return sb.toString();
        }
    }

    private static Gate needs(KernelFeature... required) {
        return new Gate(Set.of(required), Set.of());
    }

    private static final Map<String, Gate> GATED = Map.ofEntries(
            Map.entry("pmu_visibility", needs(PMU)),
            Map.entry("sve_visibility", needs(SVE)),
            Map.entry("ptrauth_visibility", needs(PAUTH)),
            Map.entry("mte_visibility", needs(MTE)),
            Map.entry("el2_visibility", needs(EL2)),
            Map.entry("sve_el2_visibility", needs(EL2, SVE)),
            Map.entry("tcr2_visibility", needs(TCR2)),
            Map.entry("tcr2_el2_visibility", needs(EL2, TCR2)),
            Map.entry("s1pie_visibility", needs(S1PIE)),
            Map.entry("s1pie_el2_visibility", needs(EL2, S1PIE)),
            Map.entry("s1poe_visibility", needs(S1POE)),
            Map.entry("s1poe_el2_visibility", needs(EL2, S1POE)),
            Map.entry("sctlr2_visibility", needs(SCTLR2)),
            Map.entry("sctlr2_el2_visibility", needs(EL2, SCTLR2)),
            Map.entry("fp8_visibility", needs(FPMR)),
            Map.entry("fgt_visibility", needs(EL2, FGT)),
            Map.entry("fgt2_visibility", needs(EL2, FGT2)),
            Map.entry("vncr_el2_visibility", new Gate(Set.of(EL2), Set.of(E2H0))),
            Map.entry("cnthv_visibility", new Gate(Set.of(EL2), Set.of(E2H0))));

    private Visibility() {
    }

    static boolean isKnown(String fn) {
        return ALWAYS.contains(fn) || NEVER.contains(fn) || GATED.containsKey(fn);
    }

    /** Whether an entry with this visibility function is listed for the features. */
    static boolean listed(String fn, KernelFeatures features) {
        if (ALWAYS.contains(fn)) {
            return true;
        }
        if (NEVER.contains(fn)) {
            return false;
        }
        return gate(fn).open(features);
    }

    /** What a spec lacks for an entry with this visibility function to be listed ({@code +tcr2}); empty when none. */
    static String missing(String fn, KernelFeatures features) {
        if (ALWAYS.contains(fn) || NEVER.contains(fn)) {
            return "";
        }
        return gate(fn).missing(features);
    }

    private static Gate gate(String fn) {
        Gate g = GATED.get(fn);
        if (g == null) {
            throw new IllegalStateException("bundled kvm-regs data uses unknown visibility function " + fn);
        }
        return g;
    }
}
