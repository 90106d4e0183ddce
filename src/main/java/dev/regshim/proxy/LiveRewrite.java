package dev.regshim.proxy;

import dev.regshim.check.CheckResult;
import dev.regshim.policy.Refusal;
import dev.regshim.policy.RewriteOptions;
import dev.regshim.policy.RewritePlan;
import dev.regshim.policy.RewriteRefusedException;
import dev.regshim.policy.VcpuRewrite;
import dev.regshim.profile.Profile;
import dev.regshim.profile.Provenance;
import dev.regshim.regs.CpregArray;
import dev.regshim.regs.RegCatalog;
import dev.regshim.stream.CpregReplacement;
import dev.regshim.stream.CpuSection;
import dev.regshim.stream.StreamTransformer;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The rewriter's rules applied to a live stream: each vCPU is planned with {@link RewritePlan#planVcpu} as its
 * {@code cpu} section arrives, and the model checks that the rewritten vCPU loads at the destination, before the
 * transformer writes the section. A refusal or a failing verdict throws {@link RewriteRefusedException}, which makes
 * the session close both connections: nothing of the section reaches the destination.
 * <p>
 * The machine type, RAM and other device sections are not modelled here (the destination QEMU checks them itself,
 * and {@link Preflight} does when a source profile is given).
 */
final class LiveRewrite implements StreamTransformer.CpuSectionHandler {

    private final RewritePlan plan;
    private final Map<Integer, CpuSection> inputs = new ConcurrentHashMap<>();
    private final Consumer<VcpuRewrite> onPlanned;
    private volatile CheckResult lastVerdict;

    /** @param onPlanned told of each vCPU that passed, before its section is written */
    LiveRewrite(RewriteOptions options, Consumer<VcpuRewrite> onPlanned) {
        this.plan = new RewritePlan(options);
        this.onPlanned = onPlanned;
    }

    @Override
    public CpregReplacement onCpuSection(CpuSection cpu) {
        int instance = cpu.instanceId();
        // the exception level the vCPU runs at: its own level's registers are never droppable
        VcpuRewrite r = plan.planVcpu(instance, cpu.cpregs(),
                java.util.OptionalInt.of(dev.regshim.policy.FeatureGates.currentEl(cpu.pstate())));
        if (r.refused()) {
            throw new RewriteRefusedException(refusalLine(r));
        }
        CheckResult verdict = plan.verdict(asProfile(cpu));
        lastVerdict = verdict;
        if (!verdict.loads()) {
            throw new RewriteRefusedException("cpu " + instance + ": even rewritten, the destination would refuse it: "
                    + verdict.firstError());
        }
        inputs.put(instance, cpu);
        onPlanned.accept(r);
        return plan.replacement(instance);
    }

    RewritePlan plan() {
        return plan;
    }

    /** The section as it arrived, for vCPUs that were planned and passed. */
    CpuSection input(int instance) {
        return inputs.get(instance);
    }

    int vcpusPassed() {
        return inputs.size();
    }

    CheckResult lastVerdict() {
        return lastVerdict;
    }

    /** The first refused register and how many more, on one line. */
    static String refusalLine(VcpuRewrite r) {
        List<Refusal> all = r.refusals();
        Refusal f = all.get(0);
        String first = RegCatalog.get().name(f.id()) + " (" + f.reason() + ")";
        return "cpu " + r.instance() + ": refused: " + first
                + (all.size() == 1 ? " would lose guest state" : " and " + (all.size() - 1)
                + " more registers would lose guest state");
    }

    /** This vCPU alone, as its source sent it (no device model: only the cpu load is predicted). */
    private static Profile asProfile(CpuSection cpu) {
        return new Profile(Provenance.of("live", "cpu " + cpu.instanceId()), null, null, null, null,
                List.of(new Profile.Vcpu(cpu.instanceId(), cpu.cpregs())), true, false);
    }
}
