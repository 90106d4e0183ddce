package dev.regshim.regs.fields;

import dev.regshim.regs.fields.FieldChange.Effect;

/**
 * Judges one changed field for a guest that already read the source value and will run on the destination.
 *
 * <p>The principle: the change is safe when the kernel's own system-wide combination of the two values,
 * {@code arm64_ftr_safe_value(dst, src)}, is the source value, i.e. the guest already saw the more conservative of
 * the two. Per rule that is:
 * <ul>
 *   <li>LOWER_SAFE: destination &ge; source (compared signed for signed fields);</li>
 *   <li>HIGHER_SAFE: destination &le; source;</li>
 *   <li>EXACT: equal;</li>
 *   <li>HIGHER_OR_ZERO_SAFE (CTR_EL0.CWG/ERG, log2 sizes where 0 means "not given, assume the largest"): the source
 *       is 0 (the guest already assumed the worst), or the destination is non-zero and &le; the source (a granule
 *       no larger than the one the guest uses). A destination of 0 under a non-zero source is unsafe: it no longer
 *       bounds the granule.</li>
 * </ul>
 * Exception: a feature the source reports as not implemented (the sysreg enum names the value {@code NI}: 0 for
 * unsigned feature fields, 0xf = -1 for signed ones) may appear on the destination, because the guest never saw it.
 * The exception does not apply to HIGHER_SAFE fields, whose "feature" is a hazard (SpecSEI: speculative SError) that
 * a guest told "none" is not prepared for.
 *
 * <p>Fields without a cpufeature entry are safe only when equal ("no safety rule known"); a change in RES0, RES1,
 * RAZ or UNKNOWN bits is unsafe.
 */
final class MigrationRule {

    private MigrationRule() {
    }

    static FieldChange judge(FieldDef f, long oldRaw, long newRaw) {
        String oldName = f.enumName(oldRaw);
        String newName = f.enumName(newRaw);
        long s = f.numeric(oldRaw);
        long d = f.numeric(newRaw);
        boolean srcNi = f.notImplemented(oldRaw);
        boolean dstNi = f.notImplemented(newRaw);
        Effect effect = effect(f, s, d, srcNi, dstNi);
        boolean safe;
        String reason;
        if (f.kind().reserved()) {
            safe = false;
            reason = f.kind() + " bits changed";
        } else if (f.rule() == SafetyRule.NONE) {
            safe = false;
            reason = "no safety rule known (no cpufeature entry): only an equal value is safe";
        } else if (srcNi && f.rule() != SafetyRule.HIGHER_SAFE) {
            safe = true;
            reason = "not implemented on the source (NI): the guest never saw it";
        } else {
            switch (f.rule()) {
                case LOWER_SAFE:
                    safe = d >= s;
                    reason = safe ? "LOWER_SAFE: the destination offers more"
                            : "LOWER_SAFE: the destination offers less than the guest saw" + lacks(oldRaw, oldName, newRaw, newName);
                    break;
                case HIGHER_SAFE:
                    safe = d <= s;
                    reason = safe ? "HIGHER_SAFE: the destination value is lower"
                            : "HIGHER_SAFE: the destination value is higher than the guest was told";
                    break;
                case EXACT:
                    safe = false;
                    reason = "EXACT: must stay equal" + lacks(oldRaw, oldName, newRaw, newName);
                    break;
                case HIGHER_OR_ZERO_SAFE:
                    safe = s == 0 || (d != 0 && d <= s);
                    reason = s == 0 ? "HIGHER_OR_ZERO_SAFE: the source gave no size, so the guest assumed the largest"
                            : safe ? "HIGHER_OR_ZERO_SAFE: the destination size is not larger"
                            : d == 0 ? "HIGHER_OR_ZERO_SAFE: the destination no longer bounds the size the guest relies on"
                            : "HIGHER_OR_ZERO_SAFE: the destination size is larger than the guest was told";
                    break;
                default:
                    throw new IllegalStateException("unhandled rule " + f.rule());
            }
        }
        return new FieldChange(f.name(), f.msb(), f.lsb(), oldRaw, newRaw, oldName, newName, f.rule(), safe, effect, reason);
    }

    private static String lacks(long oldRaw, String oldName, long newRaw, String newName) {
        return " (" + label(oldRaw, oldName) + " \u2192 " + label(newRaw, newName) + ")";
    }

    private static String label(long raw, String name) {
        return name == null ? FieldDiff.number(raw) : FieldDiff.number(raw) + " " + name;
    }

    private static Effect effect(FieldDef f, long s, long d, boolean srcNi, boolean dstNi) {
        if (f.kind().reserved()) {
            return Effect.CHANGED;
        }
        if (srcNi && !dstNi) {
            return Effect.ADDED;
        }
        if (dstNi && !srcNi) {
            return Effect.REMOVED;
        }
        if (f.rule() == SafetyRule.LOWER_SAFE) {
            return d > s ? Effect.ADDED : Effect.REMOVED;
        }
        return Effect.CHANGED;
    }
}
