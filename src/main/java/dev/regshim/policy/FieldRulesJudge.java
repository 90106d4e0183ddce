package dev.regshim.policy;

import dev.regshim.regs.RegId;
import dev.regshim.regs.fields.FieldChange;
import dev.regshim.regs.fields.FieldDiff;
import dev.regshim.regs.fields.IdRegisterFields;

import java.util.stream.Collectors;

/**
 * Judges an ID-register value change with the kernel's per-field safety rules: safe only if every changed field
 * leaves the destination at least as capable as what the guest saw. The PMU common-event maps (PMCEID0/1) are
 * bitmaps, one bit per implemented event: safe when the destination implements every event the guest saw. Other
 * registers without a known field layout are safe only when unchanged.
 */
public final class FieldRulesJudge implements IdChangeJudge {

    public static final FieldRulesJudge INSTANCE = new FieldRulesJudge();

    private FieldRulesJudge() {
    }

    /** PMCEID0/1_EL0 (op0 3, op1 3, CRn 9, CRm 12, op2 6/7) and their AArch32 views (p15 c9 opc1=0 c12 opc2=6/7). */
    static boolean isEventMap(RegId id) {
        return switch (id.regClass()) {
            case SYSREG -> id.op0() == 3 && id.op1() == 3 && id.crn() == 9 && id.crm() == 12
                    && (id.op2() == 6 || id.op2() == 7);
            case AARCH32_CP32 -> id.cpNum() == 15 && id.cpCrn() == 9 && id.cpOpc1() == 0 && id.cpCrm() == 12
                    && (id.cpOpc2() == 6 || id.cpOpc2() == 7);
            default -> false;
        };
    }

    @Override
    public Judgement judge(RegId id, long guestSaw, long destination) {
        return judge(id, guestSaw, destination, true);
    }

    @Override
    public Judgement judge(RegId id, long guestSaw, long destination, boolean guestHasEl2) {
        if (guestSaw == destination) {
            return new Judgement(true, "unchanged");
        }
        if (isEventMap(id)) {
            long lost = guestSaw & ~destination;
            long added = destination & ~guestSaw;
            String bits = String.format("0x%016x → 0x%016x: PMU common events", guestSaw, destination);
            return lost == 0
                    ? new Judgement(true, bits + String.format(" added (0x%x): safe for the guest", added))
                    : new Judgement(false, bits + String.format(" removed (0x%x): a guest counting them would "
                    + "count nothing", lost));
        }
        if (!IdRegisterFields.hasLayout(id)) {
            return new Judgement(false, String.format("0x%016x → 0x%016x: no field layout or safety rule known",
                    guestSaw, destination));
        }
        FieldDiff d = IdRegisterFields.diff(id, guestSaw, destination, guestHasEl2);
        if (d.verdict() != FieldDiff.Verdict.UNSAFE) {
            return new Judgement(true, d.summary());
        }
        String why = d.unsafeChanges().stream().map(FieldChange::reason).collect(Collectors.joining("; "));
        return new Judgement(false, d.summary() + " — " + why);
    }
}
