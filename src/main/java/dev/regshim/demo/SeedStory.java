package dev.regshim.demo;

import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.Semantics;
import dev.regshim.kernel.KernelFeatures;
import dev.regshim.kernel.KernelHost;
import dev.regshim.kernel.KernelRegDb;
import dev.regshim.kernel.KernelRegList;
import dev.regshim.plan.Fleet;
import dev.regshim.plan.FleetPlan;
import dev.regshim.plan.FleetPlanner;
import dev.regshim.plan.MachineType;
import dev.regshim.plan.Matrix;
import dev.regshim.plan.PlanSettings;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The seed scenario on embedded data: KVM hosts on kernels 6.12, 6.13, 6.17 and 7.3 with the same CPU (no FEAT_TCR2,
 * no FEAT_S1PIE) and PMU-enabled vCPUs. What stock QEMU does with every direction (regshim's model of the cpreg load),
 * and the fleet plan for the {@code virt-10.1} machine type under series v1 (the seed's DO-NOT-UPSTREAM compat),
 * series v2, and what QEMU 11.1's built-in tolerances do instead, each verified against the model.
 */
public final class SeedStory {

    /** The seed hosts: default features (PMU on; no SVE, pauth, MTE, NV; host without TCR2/S1PIE/...). */
    public static final List<String> SEED_SPECS = List.of("6.12", "6.13", "6.17", "7.3");

    /**
     * @param hosts the kernel lists, in host order
     * @param v1    the plan under series v1; its {@code before} matrix is stock QEMU
     */
    public record Result(List<KernelRegList> hosts, Fleet fleet, FleetPlan v1, FleetPlan v2, FleetPlan qemu111) {

        /** Stock QEMU, no lists: today's fleet. */
        public Matrix stock() {
            return v1.before();
        }

        public List<FleetPlan> plans() {
            return List.of(v1, v2, qemu111);
        }
    }

    private SeedStory() {
    }

    public static Result run() {
        return run(SEED_SPECS.stream().map(KernelHost::parse).collect(Collectors.toList()));
    }

    /** The story for other kernel hosts; each host is named by its spec. */
    public static Result run(List<KernelHost> hosts) {
        List<KernelRegList> lists = hosts.stream().map(KernelRegDb::listing).collect(Collectors.toList());
        List<String> args = new ArrayList<>();
        for (KernelHost h : hosts) {
            args.add(name(h) + "=kernel:" + h.spec());
        }
        Fleet fleet = Fleet.resolve(args);
        return new Result(List.copyOf(lists), fleet, plan(fleet, Semantics.SERIES_V1), plan(fleet, Semantics.SERIES_V2),
                plan(fleet, Semantics.QEMU_11_1));
    }

    /** {@code 6.12} for a default host, the full spec otherwise. */
    static String name(KernelHost h) {
        return h.features().equals(KernelFeatures.defaults()) ? h.version().toString() : h.spec();
    }

    private static FleetPlan plan(Fleet fleet, Semantics s) {
        return FleetPlanner.plan(fleet, PlanSettings.of(s, Accel.KVM).withBefore(Semantics.QEMU_STOCK)
                .withMachine(MachineType.SEED));
    }
}
