package dev.regshim.policy;

import dev.regshim.cpreg.CpregArray;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegClass;
import dev.regshim.regs.RegId;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Which ID-register field gates a register's existence for the guest (the conditions the kernel's visibility
 * functions test, and the architecture's), so that a rewrite can show from the guest's own ID registers that it
 * could not have used a register. Field positions are the architectural ones ({@code arch/arm64/tools/sysreg}).
 */
public final class FeatureGates {

    /** A feature: present when any of its fields is at least 1 (signed fields: not 0xf). */
    public record Feature(String name, RegId idRegister, List<Field> fields) {
    }

    public record Field(String name, int lsb, boolean signed) {
        int value(long reg) {
            return (int) ((reg >>> lsb) & 0xf);
        }

        boolean present(long reg) {
            int v = value(reg);
            return signed ? v != 0xf : v != 0;
        }
    }

    static final RegId ID_AA64PFR0 = RegId.sysreg(3, 0, 0, 4, 0);
    static final RegId ID_AA64PFR1 = RegId.sysreg(3, 0, 0, 4, 1);
    static final RegId ID_AA64PFR2 = RegId.sysreg(3, 0, 0, 4, 2);
    static final RegId ID_AA64ISAR1 = RegId.sysreg(3, 0, 0, 6, 1);
    static final RegId ID_AA64ISAR2 = RegId.sysreg(3, 0, 0, 6, 2);
    static final RegId ID_AA64MMFR3 = RegId.sysreg(3, 0, 0, 7, 3);

    public static final Feature TCR2 = new Feature("FEAT_TCR2", ID_AA64MMFR3, List.of(new Field("TCRX", 0, false)));
    public static final Feature SCTLR2 = new Feature("FEAT_SCTLR2", ID_AA64MMFR3, List.of(new Field("SCTLRX", 4, false)));
    public static final Feature S1PIE = new Feature("FEAT_S1PIE", ID_AA64MMFR3, List.of(new Field("S1PIE", 8, false)));
    public static final Feature S1POE = new Feature("FEAT_S1POE", ID_AA64MMFR3, List.of(new Field("S1POE", 16, false)));
    public static final Feature FPMR = new Feature("FEAT_FPMR", ID_AA64PFR2, List.of(new Field("FPMR", 32, false)));
    public static final Feature PAUTH = new Feature("pointer authentication", ID_AA64ISAR1,
            List.of(new Field("APA", 4, false), new Field("API", 8, false), new Field("GPA", 24, false), new Field("GPI", 28, false)));
    public static final Feature PAUTH3 = new Feature("pointer authentication (QARMA3)", ID_AA64ISAR2,
            List.of(new Field("APA3", 12, false), new Field("GPA3", 8, false)));
    public static final Feature MTE = new Feature("FEAT_MTE2", ID_AA64PFR1, List.of(new Field("MTE", 8, false)));
    public static final Feature SME = new Feature("FEAT_SME", ID_AA64PFR1, List.of(new Field("SME", 24, false)));
    public static final Feature SVE = new Feature("FEAT_SVE", ID_AA64PFR0, List.of(new Field("SVE", 32, false)));
    public static final Feature EL2 = new Feature("EL2", ID_AA64PFR0, List.of(new Field("EL2", 8, false)));
    public static final Feature EL3 = new Feature("EL3", ID_AA64PFR0, List.of(new Field("EL3", 12, false)));

    private FeatureGates() {
    }

    /** The feature gating a register, if any. */
    public static Optional<Feature> gate(RegId id) {
        if (id.regClass() == RegClass.AARCH32_CP32 || id.regClass() == RegClass.AARCH32_CP64) {
            if (id.cpNum() == 15 && id.cpOpc1() == 4) {
                return Optional.of(EL2); // Hyp-mode registers
            }
            return id.cpNs() ? Optional.empty() : Optional.of(EL3); // Secure bank copies
        }
        if (id.regClass() != RegClass.SYSREG) {
            return Optional.empty();
        }
        int op0 = id.op0(), op1 = id.op1(), crn = id.crn(), crm = id.crm(), op2 = id.op2();
        if (op0 == 3 && op1 == 0 && crn == 2 && crm == 0 && op2 == 3) {
            return Optional.of(TCR2);
        }
        if (op0 == 3 && op1 == 0 && crn == 1 && crm == 0 && op2 == 3) {
            return Optional.of(SCTLR2);
        }
        if (op0 == 3 && op1 == 0 && crn == 10 && crm == 2 && (op2 == 2 || op2 == 3)) {
            return Optional.of(S1PIE);
        }
        if (op0 == 3 && (op1 == 0 || op1 == 3) && crn == 10 && crm == 2 && op2 == 4) {
            return Optional.of(S1POE);
        }
        if (op0 == 3 && op1 == 3 && crn == 4 && crm == 4 && op2 == 2) {
            return Optional.of(FPMR);
        }
        if (op0 == 3 && op1 == 0 && crn == 2 && crm >= 1 && crm <= 3) {
            return Optional.of(PAUTH); // AP{IA,IB,DA,DB,GA}KEY{LO,HI}_EL1
        }
        String name = RegCatalog.get().name(id);
        if (name.matches("(RGSR|GCR|TFSR|TFSRE0)_EL1|GMID_EL1|TFSR_EL[23]")) {
            return Optional.of(MTE);
        }
        if (name.matches("SMCR_EL[123]|SMPRI_EL1|SMIDR_EL1|SVCR|TPIDR2_EL0|SMPRIMAP_EL2")) {
            return Optional.of(SME);
        }
        if (name.matches("ZCR_EL[123]")) {
            return Optional.of(SVE);
        }
        if (op0 == 3 && (op1 == 4 || op1 == 5)) {
            return Optional.of(EL2);
        }
        if (op0 == 3 && op1 == 6) {
            return Optional.of(EL3);
        }
        return Optional.empty();
    }

    /** PSTATE.M[4] (nRW): set when the vCPU is in an AArch32 mode. */
    private static final int PSTATE_NRW = 0x10;
    private static final int PSTATE_EL_SHIFT = 2;
    private static final int AARCH32_MODE_MASK = 0x1f;
    private static final int AARCH32_USR = 0x10;
    private static final int AARCH32_HYP = 0x1a;
    private static final int AARCH32_MON = 0x16;

    /** The exception level a vCPU executes at, from the PSTATE/CPSR its cpu section carries. */
    public static int currentEl(int pstate) {
        if ((pstate & PSTATE_NRW) == 0) {
            return (pstate >>> PSTATE_EL_SHIFT) & 0x3;
        }
        return switch (pstate & AARCH32_MODE_MASK) {
            case AARCH32_USR -> 0;
            case AARCH32_HYP -> 2;
            case AARCH32_MON -> 3;
            default -> 1;
        };
    }

    /** The exception level a feature's registers belong to (EL2, EL3), or 0 for other features. */
    public static int level(Feature f) {
        return f == EL2 ? 2 : f == EL3 ? 3 : 0;
    }

    /** Whether the guest's own ID registers (from the same vCPU's array) show the feature present; empty when unknown. */
    public static Optional<Boolean> present(Feature f, CpregArray guest) {
        OptionalLong reg = guest.valueOf(f.idRegister());
        if (reg.isEmpty()) {
            return Optional.empty();
        }
        for (Field fl : f.fields()) {
            if (fl.present(reg.getAsLong())) {
                return Optional.of(true);
            }
        }
        return Optional.of(false);
    }

    /** The registers of the same feature in the array, for "all of them are still zero" evidence. */
    public static List<RegId> group(Feature f, CpregArray arr) {
        List<RegId> out = new ArrayList<>();
        for (int i = 0; i < arr.length(); i++) {
            RegId id = RegId.of(arr.id(i));
            if (gate(id).filter(g -> g == f).isPresent()) {
                out.add(id);
            }
        }
        return out;
    }

    public static String describe(Feature f, CpregArray guest) {
        OptionalLong reg = guest.valueOf(f.idRegister());
        StringBuilder b = new StringBuilder(RegCatalog.get().name(f.idRegister()));
        for (Field fl : f.fields()) {
            b.append(' ').append(fl.name()).append('=').append(reg.isPresent() ? Integer.toString(fl.value(reg.getAsLong())) : "?");
        }
        return b.toString();
    }
}
