package dev.regshim.policy;

import dev.regshim.kernel.KernelFeature;
import dev.regshim.regs.CpregArray;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegClass;
import dev.regshim.regs.RegId;
import dev.regshim.regs.WellKnownRegs;
import dev.regshim.regs.fields.IdField;
import dev.regshim.regs.fields.IdRegisterFields;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Which ID-register field gates a register's existence for the guest (the conditions the kernel's visibility
 * functions test, and the architecture's), so that a rewrite can show from the guest's own ID registers that it
 * could not have used a register. Field positions come from the bundled sysreg tables
 * ({@link IdRegisterFields#field}), never written here.
 */
public final class FeatureGates {

    /** A feature: present when any of its fields is at least 1 (signed fields: not 0xf). */
    public record Feature(String name, RegId idRegister, List<Field> fields) {

        static Feature of(String name, String register, String... fields) {
            List<Field> fs = new ArrayList<>();
            for (String f : fields) {
                fs.add(new Field(IdRegisterFields.field(register, f).orElseThrow(() -> new IllegalStateException(
                        "the bundled sysreg tables have no " + register + "." + f))));
            }
            return new Feature(name, fs.get(0).field().id(), List.copyOf(fs));
        }

        /** A host feature whose ID field the kernel's table records ({@link KernelFeature#gate()}). */
        static Feature of(String name, KernelFeature hostFeature) {
            IdField g = hostFeature.gate().orElseThrow(() -> new IllegalStateException(
                    hostFeature + " is not shown by an ID register field")).field();
            return new Feature(name, g.id(), List.of(new Field(g)));
        }
    }

    public record Field(IdField field) {
        public String name() {
            return field.name();
        }

        int value(long reg) {
            return (int) field.raw(reg);
        }

        boolean present(long reg) {
            long v = field.value(reg);
            return field.signed() ? v != -1 : v != 0;
        }
    }

    public static final Feature TCR2 = Feature.of("FEAT_TCR2", KernelFeature.TCR2);
    public static final Feature SCTLR2 = Feature.of("FEAT_SCTLR2", KernelFeature.SCTLR2);
    public static final Feature S1PIE = Feature.of("FEAT_S1PIE", KernelFeature.S1PIE);
    public static final Feature S1POE = Feature.of("FEAT_S1POE", KernelFeature.S1POE);
    public static final Feature FPMR = Feature.of("FEAT_FPMR", KernelFeature.FPMR);
    public static final Feature PAUTH = Feature.of("pointer authentication", "ID_AA64ISAR1_EL1", "APA", "API", "GPA", "GPI");
    public static final Feature PAUTH3 = Feature.of("pointer authentication (QARMA3)", "ID_AA64ISAR2_EL1", "APA3", "GPA3");
    public static final Feature MTE = Feature.of("FEAT_MTE2", "ID_AA64PFR1_EL1", "MTE");
    public static final Feature SME = Feature.of("FEAT_SME", "ID_AA64PFR1_EL1", "SME");
    public static final Feature SVE = Feature.of("FEAT_SVE", "ID_AA64PFR0_EL1", "SVE");
    public static final Feature EL2 = Feature.of("EL2", "ID_AA64PFR0_EL1", "EL2");
    public static final Feature EL3 = Feature.of("EL3", "ID_AA64PFR0_EL1", "EL3");

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
        if (id.equals(WellKnownRegs.TCR2_EL1)) {
            return Optional.of(TCR2);
        }
        if (op0 == 3 && op1 == 0 && crn == 1 && crm == 0 && op2 == 3) {
            return Optional.of(SCTLR2);
        }
        if (id.equals(WellKnownRegs.PIRE0_EL1) || id.equals(WellKnownRegs.PIR_EL1)) {
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
