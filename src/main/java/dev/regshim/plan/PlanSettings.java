package dev.regshim.plan;

import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.KvmValueRule;
import dev.regshim.cpreg.Semantics;
import dev.regshim.policy.InertRule;

import java.util.List;

/**
 * How to plan: the QEMU the fleet runs ({@code semantics}, {@code accel}), the one it runs today ({@code before}),
 * the machine type the lists belong to, the baseline host (null: choose automatically) and the operator's inert
 * declarations. {@code kvmRule} null: each destination's own (learnt from its capture when it is one).
 */
public record PlanSettings(Semantics semantics, Semantics before, Accel accel, MachineType machine, String baseline,
                           List<InertRule> inert, KvmValueRule kvmRule) {

    public PlanSettings {
        before = before == null ? semantics : before;
        machine = machine == null ? MachineType.SEED : machine;
        inert = inert == null ? List.of() : List.copyOf(inert);
    }

    public static PlanSettings of(Semantics semantics, Accel accel) {
        return new PlanSettings(semantics, null, accel, null, null, null, null);
    }

    public PlanSettings withBefore(Semantics s) {
        return new PlanSettings(semantics, s, accel, machine, baseline, inert, kvmRule);
    }

    public PlanSettings withBaseline(String host) {
        return new PlanSettings(semantics, before, accel, machine, host, inert, kvmRule);
    }

    public PlanSettings withMachine(MachineType m) {
        return new PlanSettings(semantics, before, accel, m, baseline, inert, kvmRule);
    }

    public PlanSettings withInert(List<InertRule> rules) {
        return new PlanSettings(semantics, before, accel, machine, baseline, rules, kvmRule);
    }
}
