package dev.regshim.regs.fields;

import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegClass;
import dev.regshim.regs.RegId;
import dev.regshim.regs.WellKnownRegs;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decodes ID (feature) register values into named fields and compares two values field by field, judging each
 * change for live migration (see {@link MigrationRule} for the exact rule).
 *
 * <p>AArch32 views: QEMU under TCG also lists the cp15 ID registers ({@code p15 c0 opc1=0 c1 opc2=2} = ID_DFR0,
 * ID {@code 0x40200000200f0082}). Their layout is that of the AArch64 register with the same CRm/opc1/opc2 in
 * op0=3, CRn=0 ({@code ID_DFR0_EL1} = S3_0_C0_C1_2), except the AArch32 CTR, whose AArch64 twin is CTR_EL0.
 */
public final class IdRegisterFields {

    static final int ID_OP0 = 3;
    static final int ID_CRN = 0;
    static final int AARCH32_CP15 = 15;
    /** AArch32 CTR is p15 c0 opc1=0 c0 opc2=1; AArch64 CTR_EL0 lives in op1=3. */
    static final RegId CTR_EL0 = WellKnownRegs.CTR_EL0;
    static final RegId DCZID_EL0 = WellKnownRegs.DCZID_EL0;
    private static final int CTR_CRM = 0;
    private static final int CTR_OPC2 = 1;
    private static final String RAW_FIELD = "VALUE";

    private IdRegisterFields() {
    }

    /**
     * Feature/identification registers, whose value is a constant of the (virtual) CPU: AArch64 op0=3, op1 0 or 1,
     * CRn=0 (the ID_* space, MIDR, MPIDR, REVIDR, CLIDR, AIDR, ...), CTR_EL0 and DCZID_EL0, and the AArch32 cp15
     * views of the same space (CRn=0, opc1 0 or 1).
     */
    public static boolean isIdRegister(RegId id) {
        RegClass c = id.regClass();
        if (c == RegClass.SYSREG) {
            return (id.op0() == ID_OP0 && id.op1() <= 1 && id.crn() == ID_CRN) || id.equals(CTR_EL0) || id.equals(DCZID_EL0);
        }
        if (c == RegClass.AARCH32_CP32) {
            return id.cpNum() == AARCH32_CP15 && id.cpCrn() == ID_CRN && id.cpOpc1() <= 1;
        }
        return false;
    }

    /** The AArch64 register whose layout an AArch32 ID view shares; any other ID is returned unchanged. */
    public static RegId aarch64View(RegId id) {
        if (id.regClass() != RegClass.AARCH32_CP32 || !isIdRegister(id)) {
            return id;
        }
        if (id.cpOpc1() == 0 && id.cpCrm() == CTR_CRM && id.cpOpc2() == CTR_OPC2) {
            return CTR_EL0;
        }
        return RegId.sysreg(ID_OP0, id.cpOpc1(), ID_CRN, id.cpCrm(), id.cpOpc2());
    }

    /**
     * A named field of a named ID register ({@code ID_AA64MMFR3_EL1}, {@code TCRX}), from the bundled sysreg tables:
     * the one place field positions come from.
     */
    public static Optional<IdField> field(String register, String field) {
        return FieldLayouts.get().layout(register).flatMap(l -> l.fields().stream()
                .filter(f -> f.name().equals(field)).findFirst().map(f -> new IdField(register, l.encoding(), f)));
    }

    /** The name of the layout used for the ID ({@code ID_DFR0_EL1} for the AArch32 ID_DFR0 view), when known. */
    public static Optional<String> layoutName(RegId id) {
        return FieldLayouts.get().layout(aarch64View(id)).map(FieldLayouts.Layout::register);
    }

    public static boolean hasLayout(RegId id) {
        return layoutName(id).isPresent();
    }

    /**
     * Every field of the value, from the top bit down, RES0 ranges included. Without a known layout, one field
     * {@code VALUE} spanning the register.
     */
    public static List<FieldValue> decode(RegId id, long value) {
        List<FieldValue> out = new ArrayList<>();
        for (FieldDef f : fields(id)) {
            out.add(f.value(value));
        }
        return out;
    }

    /**
     * Fields that describe what EL2 (a hypervisor) can use: a vCPU without EL2 (its ID_AA64PFR0_EL1.EL2 is 0) can
     * neither use nor depend on them, so any change of theirs is invisible to it. KVM itself reports some of them
     * differently for such a vCPU from one kernel to the next (6.12 shows NV=2 to a guest without EL2, 7.3 shows 0).
     */
    static final java.util.Set<String> EL2_ONLY = java.util.Set.of(
            "ID_AA64MMFR2_EL1.NV", "ID_AA64MMFR4_EL1.NV_frac", "ID_AA64MMFR4_EL1.E2H0", "ID_AA64MMFR1_EL1.VH",
            "ID_AA64MMFR1_EL1.HCX", "ID_AA64MMFR1_EL1.TWED", "ID_AA64MMFR1_EL1.VMIDBits", "ID_AA64MMFR0_EL1.FGT",
            "ID_AA64MMFR3_EL1.S2PIE", "ID_AA64MMFR3_EL1.S2POE");

    /** The field-by-field difference of two values, each change judged for migration (source → destination). */
    public static FieldDiff diff(RegId id, long source, long destination) {
        return diff(id, source, destination, true);
    }

    /**
     * As {@link #diff(RegId, long, long)}, for a guest that has EL2 or not: without EL2 a change in an EL2-only field
     * ({@link #EL2_ONLY}) is safe.
     */
    public static FieldDiff diff(RegId id, long source, long destination, boolean guestHasEl2) {
        FieldDiff d = diffAll(id, source, destination);
        if (guestHasEl2) {
            return d;
        }
        List<FieldChange> judged = new ArrayList<>();
        for (FieldChange c : d.changes()) {
            if (!c.safeForMigration() && EL2_ONLY.contains(d.register() + "." + c.field())) {
                judged.add(new FieldChange(c.field(), c.msb(), c.lsb(), c.oldValue(), c.newValue(), c.oldName(),
                        c.newName(), c.rule(), true, c.effect(), "an EL2 feature: the vCPU has no EL2, so it cannot use it"));
            } else {
                judged.add(c);
            }
        }
        return new FieldDiff(d.id(), d.register(), d.source(), d.destination(), judged);
    }

    /** The field of ID_AA64PFR0_EL1 that says whether the vCPU has EL2. */
    public static boolean hasEl2(long idAa64pfr0) {
        return field("ID_AA64PFR0_EL1", "EL2").map(f -> f.value(idAa64pfr0) != 0).orElse(true);
    }

    private static FieldDiff diffAll(RegId id, long source, long destination) {
        List<FieldDef> defs = new ArrayList<>(fields(id));
        List<FieldChange> changes = new ArrayList<>();
        for (int i = defs.size() - 1; i >= 0; i--) {
            FieldDef f = defs.get(i);
            long o = f.extract(source);
            long n = f.extract(destination);
            if (o != n) {
                changes.add(MigrationRule.judge(f, o, n));
            }
        }
        return new FieldDiff(id, displayName(id), source, destination, changes);
    }

    private static String displayName(RegId id) {
        return layoutName(id).orElseGet(() -> RegCatalog.get().name(id));
    }

    private static List<FieldDef> fields(RegId id) {
        return FieldLayouts.get().layout(aarch64View(id)).map(FieldLayouts.Layout::fields)
                .orElseGet(() -> List.of(rawField(id)));
    }

    private static FieldDef rawField(RegId id) {
        int bits = Math.min(Long.SIZE, id.sizeBytes() * Byte.SIZE);
        return new FieldDef(RAW_FIELD, bits - 1, 0, FieldKind.FIELD, false, SafetyRule.NONE, java.util.Map.of());
    }
}
