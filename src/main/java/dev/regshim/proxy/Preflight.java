package dev.regshim.proxy;

import dev.regshim.RegshimException;
import dev.regshim.check.CheckResult;
import dev.regshim.check.MigrationCheck;
import dev.regshim.check.Stage;
import dev.regshim.policy.RewriteOptions;
import dev.regshim.policy.RewritePlan;
import dev.regshim.profile.Profile;

/**
 * The decision that can be made before a byte flows: the rewrite of a known source ({@code --source-profile}, a stream
 * it saved or a capture of its configuration) planned exactly as the offline rewriter plans it, and the model's verdict
 * on the result, machine type, RAM and devices included. When it refuses, the proxy does not even listen.
 * <p>
 * The live values of a running guest differ from the profile's; every vCPU is planned again from its live section.
 *
 * @param before  the model's verdict on the source as it is
 * @param after   the verdict on the rewritten source (null when the plan was refused)
 * @param refusal why it refuses, one line; null when it passes
 */
public record Preflight(Profile source, RewritePlan plan, CheckResult before, CheckResult after, String refusal) {

    public static Preflight run(Profile source, RewriteOptions o) {
        if (source.vcpus().stream().anyMatch(v -> !v.cpregs().hasValues())) {
            throw new RegshimException("--source-profile " + source.provenance().source() + " has no register values"
                    + " (a " + source.provenance().kind() + " profile lists IDs only): give a stream the source saved"
                    + " or a capture of its configuration");
        }
        CheckResult before = MigrationCheck.run(source, o.destination(), o.settings(), o.destination().kvmValueRule());
        RewritePlan plan = RewritePlan.of(source, o);
        if (plan.refused()) {
            return new Preflight(source, plan, before, null, LiveRewrite.refusalLine(
                    plan.vcpus().stream().filter(v -> v.refused()).findFirst().orElseThrow()));
        }
        CheckResult after = plan.verdict(source);
        if (!after.loads()) {
            return new Preflight(source, plan, before, after, "even rewritten, the destination would refuse the stream: "
                    + after.firstError() + (after.stage() == Stage.CPU ? ""
                    : " (not a register difference: the destination's machine, RAM or devices differ)"));
        }
        return new Preflight(source, plan, before, after, null);
    }

    public boolean refused() {
        return refusal != null;
    }
}
