package dev.regshim.demo;

import dev.regshim.kernel.KernelHost;
import dev.regshim.kernel.KernelRegDb;
import dev.regshim.kernel.KernelRegList;
import dev.regshim.kernel.RegListing;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The seed scenario, computed from the embedded kernel tables: hosts on kernels 6.12, 6.13 and 6.17 with the same CPU
 * (no FEAT_TCR2/FEAT_S1PIE) and PMU-enabled vCPUs, and for every ordered pair whether a migration loads and which
 * registers stop it, each with the reason the source lists it and the destination does not.
 */
public final class SeedStory {

    /** The seed hosts: default features (PMU on; no SVE, pauth, MTE, NV; host without TCR2/S1PIE/...). */
    public static final List<String> SEED_SPECS = List.of("6.12", "6.13", "6.17");

    /** One register that blocks a migration, and why each side has or lacks it. */
    public record Blocker(RegId id, String name, String sourceWhy, String destinationWhy) {
    }

    /** One ordered pair. */
    public record Migration(KernelRegList source, KernelRegList destination, List<Blocker> blockers) {
        public boolean loads() {
            return blockers.isEmpty();
        }
    }

    /** The whole story: the hosts, the rule's name, and every ordered pair (sources in host order). */
    public record Result(String rule, List<KernelRegList> hosts, List<Migration> migrations) {

        public List<Migration> failures() {
            return migrations.stream().filter(m -> !m.loads()).collect(Collectors.toList());
        }

        /** Every blocking register once, with the pairs it blocks, in first-seen order. */
        public Map<RegId, List<Migration>> blockersByRegister() {
            Map<RegId, List<Migration>> out = new LinkedHashMap<>();
            for (Migration m : migrations) {
                for (Blocker b : m.blockers()) {
                    out.computeIfAbsent(b.id(), k -> new ArrayList<>()).add(m);
                }
            }
            return out;
        }
    }

    private SeedStory() {
    }

    /** The seed story under stock QEMU's set rule. */
    public static Result run() {
        return run(SEED_SPECS.stream().map(KernelHost::parse).collect(Collectors.toList()),
                "stock QEMU: a register in the source's cpreg list that the destination lacks fails the load; "
                        + "registers only the destination has keep their reset value",
                MigrationCheck.STOCK_QEMU_SET_RULE);
    }

    public static Result run(List<KernelHost> hosts, String ruleName, MigrationCheck check) {
        List<KernelRegList> lists = hosts.stream().map(KernelRegDb::listing).collect(Collectors.toList());
        List<Migration> migrations = new ArrayList<>();
        for (KernelRegList src : lists) {
            for (KernelRegList dst : lists) {
                if (src != dst) {
                    migrations.add(new Migration(src, dst, blockers(src, dst, check)));
                }
            }
        }
        return new Result(ruleName, List.copyOf(lists), List.copyOf(migrations));
    }

    private static List<Blocker> blockers(KernelRegList src, KernelRegList dst, MigrationCheck check) {
        List<Blocker> out = new ArrayList<>();
        for (RegId id : check.blockers(src, dst)) {
            String srcWhy = src.listing(id).map(RegListing::why).orElse("not listed");
            out.add(new Blocker(id, RegCatalog.get().name(id), srcWhy, KernelRegDb.explain(dst.host(), id)));
        }
        return List.copyOf(out);
    }
}
