package dev.regshim.policy;

import dev.regshim.regs.CpregArray;

import java.util.List;

/** The planned rewrite of one vCPU's cpreg arrays: the result, every change with its reason, and every refusal. */
public record VcpuRewrite(int instance, CpregArray before, CpregArray after, List<RegisterChange> changes,
                          List<Refusal> refusals, List<String> notes) {

    public boolean refused() {
        return !refusals.isEmpty();
    }

    public boolean unchanged() {
        return changes.isEmpty();
    }
}
