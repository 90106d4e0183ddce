package dev.regshim.plan;

import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;

import java.util.List;

/**
 * Chains of migrations A → B → C over distinct host classes, each hop's stream derived from the previous hop's state.
 *
 * @param enumerated     false when the fleet has too many classes to enumerate every path
 * @param paths          paths of three classes with consecutive classes different
 * @param pathsLoading   paths whose both hops load
 * @param blockedByPairs paths with a hop whose pairwise direction already fails (reported by the matrix)
 * @param chainOnly      paths that fail although both directions load pairwise (none expected: see the class doc of
 *                       {@link ChainVerifier})
 * @param states         distinct VM states after a first hop
 * @param modelRuns      second hops the model ran on a derived state
 * @param reused         first-hop states equal to what the host sends when the VM starts there, whose second hops are
 *                       the pairwise results
 */
public record ChainReport(boolean enumerated, long paths, long pathsLoading, long blockedByPairs, long chainOnly,
                          int states, int modelRuns, int reused, List<Event> events, List<Failure> failures) {

    public ChainReport {
        events = List.copyOf(events);
        failures = List.copyOf(failures);
    }

    /** What happens to a register's value along a path. */
    public enum Kind {
        /** Listed on A and C, not on B: B drops it, C re-creates it with its own reset value. */
        DROPPED_THEN_RESET,
        /** B → C tolerates it only under a value condition, and the VM's value is the one it started with. */
        CONDITION_ON_ORIGINAL,
        /** B → C tolerates it under a value condition the VM's value meets: it came from B's reset value. */
        CONDITION_DISCHARGED
    }

    /** One kind of event on one register, with how many paths show it and one of them. */
    public record Event(RegId id, Kind kind, long paths, List<Integer> example, Safety safety, String text) {
        public String name() {
            return RegCatalog.get().name(id);
        }
    }

    /** A path that fails at a hop although its pairs load. */
    public record Failure(List<Integer> path, int hop, String error) {
    }

    public boolean accepted() {
        return enumerated && chainOnly == 0 && events.stream().noneMatch(e -> e.safety() == Safety.UNSAFE);
    }

    /** Why pairwise verdicts plus these chains cover every path a VM can take. */
    public static final String WHY_SUFFICIENT = "What a hop sends depends only on the host it leaves: QEMU builds its "
            + "cpreg list from its own kernel when it starts (less the hidden registers) and merges the incoming state into "
            + "that list, so the register-list verdict of B -> C is the same on every path through B, and the pairwise "
            + "matrix decides it. What a path carries is values: a register dropped at one hop comes back at a later host "
            + "with that host's reset value, and a value condition (BMAP_2 == 0) is tested against whatever the VM holds "
            + "then. That value is either the one the VM started with (the direct pair covers it) or the reset value of the "
            + "last host that re-created it, which reaches any later destination unchanged through hosts that list the "
            + "register; paths of three classes (X -> Y -> C, Y re-creating it) reach every such combination, and longer "
            + "paths repeat them. The lists themselves never change on the way: they belong to the machine type (or to the "
            + "VM's command line, which management starts every destination with), so a VM keeps them until it is powered "
            + "off and started again.";
}
