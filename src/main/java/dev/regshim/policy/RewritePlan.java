package dev.regshim.policy;

import dev.regshim.check.CheckResult;
import dev.regshim.check.MigrationCheck;
import dev.regshim.profile.Profile;
import dev.regshim.regs.CpregArray;
import dev.regshim.stream.CpregReplacement;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The rewrite of every vCPU of one stream, decided before a byte is written: per vCPU the new arrays, every change
 * and every refusal, and the model's verdict on the rewritten state. Shared by the offline rewriter (which plans from
 * a first read of the file) and the live proxy (which plans each vCPU as its section arrives).
 */
public final class RewritePlan {

    private final Map<Integer, VcpuRewrite> vcpus = new LinkedHashMap<>();
    private final RewriteOptions options;

    public RewritePlan(RewriteOptions options) {
        this.options = options;
    }

    /** Plans one vCPU (idempotent per instance). */
    public VcpuRewrite planVcpu(int instance, CpregArray source) {
        return planVcpu(instance, source, OptionalInt.empty());
    }

    /** Plans one vCPU whose exception level is known (from its PSTATE): its own level's registers are never inert. */
    public VcpuRewrite planVcpu(int instance, CpregArray source, OptionalInt currentEl) {
        Profile.Vcpu dst = options.destination().vcpu(instance).orElseThrow(() -> new RewriteRefusedException(
                "the destination profile has no vCPU " + instance + " (the source has at least " + (instance + 1)
                        + "): the destination must be configured with the same number of vCPUs"));
        VcpuRewrite r = CpregRewritePlanner.plan(instance, source, dst.cpregs(), options.plannerOptions(), currentEl);
        vcpus.put(instance, r);
        return r;
    }

    public static RewritePlan of(Profile source, RewriteOptions options) {
        return of(source, options, Map.of());
    }

    /** @param currentEls per vCPU instance, the exception level it executes at (where known) */
    public static RewritePlan of(Profile source, RewriteOptions options, Map<Integer, Integer> currentEls) {
        RewritePlan p = new RewritePlan(options);
        for (Profile.Vcpu v : source.vcpus()) {
            Integer el = currentEls.get(v.instance());
            p.planVcpu(v.instance(), v.cpregs(), el == null ? OptionalInt.empty() : OptionalInt.of(el));
        }
        return p;
    }

    public List<VcpuRewrite> vcpus() {
        return new ArrayList<>(vcpus.values());
    }

    public VcpuRewrite vcpu(int instance) {
        return vcpus.get(instance);
    }

    public RewriteOptions options() {
        return options;
    }

    public List<Refusal> refusals() {
        List<Refusal> all = new ArrayList<>();
        vcpus.values().forEach(v -> all.addAll(v.refusals()));
        return all;
    }

    public boolean refused() {
        return !refusals().isEmpty();
    }

    public boolean changesAnything() {
        return vcpus.values().stream().anyMatch(v -> !v.unchanged());
    }

    public List<RegisterChange> lossyChanges() {
        List<RegisterChange> all = new ArrayList<>();
        vcpus.values().forEach(v -> v.changes().stream().filter(RegisterChange::lossy).forEach(all::add));
        return all;
    }

    /** The replacement for a vCPU's arrays, for the stream transformer. */
    public CpregReplacement replacement(int instance) {
        VcpuRewrite r = vcpus.get(instance);
        if (r == null || r.unchanged()) {
            return CpregReplacement.unchanged();
        }
        return CpregReplacement.of(r.after());
    }

    /** The source profile as it will be after the rewrite (same devices, new cpreg arrays). */
    public Profile rewritten(Profile source) {
        List<Profile.Vcpu> out = new ArrayList<>();
        for (Profile.Vcpu v : source.vcpus()) {
            VcpuRewrite r = vcpus.get(v.instance());
            out.add(new Profile.Vcpu(v.instance(), r == null ? v.cpregs() : r.after()));
        }
        return new Profile(source.provenance(), source.machineType(), source.pageSize(), source.ramBlocks(),
                source.sections(), out, true, source.template());
    }

    /** The model's verdict on the rewritten state loading at the destination. */
    public CheckResult verdict(Profile source) {
        return MigrationCheck.run(rewritten(source), options.destination(), options.settings(), options.destination().kvmValueRule());
    }
}
