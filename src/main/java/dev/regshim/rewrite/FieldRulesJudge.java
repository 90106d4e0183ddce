package dev.regshim.rewrite;

import dev.regshim.regs.RegId;
import dev.regshim.regs.fields.FieldChange;
import dev.regshim.regs.fields.FieldDiff;
import dev.regshim.regs.fields.IdRegisterFields;

import java.util.stream.Collectors;

/**
 * Judges an ID-register value change with the kernel's per-field safety rules: safe only if every changed field
 * leaves the destination at least as capable as what the guest saw. Registers without a known field layout are
 * safe only when unchanged.
 */
public final class FieldRulesJudge implements IdChangeJudge {

    public static final FieldRulesJudge INSTANCE = new FieldRulesJudge();

    private FieldRulesJudge() {
    }

    @Override
    public Judgement judge(RegId id, long guestSaw, long destination) {
        if (guestSaw == destination) {
            return new Judgement(true, "unchanged");
        }
        if (!IdRegisterFields.hasLayout(id)) {
            return new Judgement(false, String.format("0x%016x → 0x%016x: no field layout or safety rule known",
                    guestSaw, destination));
        }
        FieldDiff d = IdRegisterFields.diff(id, guestSaw, destination);
        if (d.verdict() != FieldDiff.Verdict.UNSAFE) {
            return new Judgement(true, d.summary());
        }
        String why = d.unsafeChanges().stream().map(FieldChange::reason).collect(Collectors.joining("; "));
        return new Judgement(false, d.summary() + " — " + why);
    }
}
