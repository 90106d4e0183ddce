package dev.regshim.plan;

import dev.regshim.cpreg.Semantics;
import dev.regshim.kernel.KernelRegDb;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegSet;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A fleet plan: for one machine type, the hidden and fake / safe-missing lists every host gets, each register's
 * classification, what the lists do on each host class, the migration matrices before and after, the chain
 * verification, and whether the plan is accepted (every direction after loads, conditional ones with their condition
 * shown, and every chain holds).
 *
 * @param hidden      the hidden list ({@link Semantics#hiddenProperty()}), empty without properties
 * @param fake        the fake / safe-missing list ({@link Semantics#fakeProperty()}), empty without properties
 * @param rejections  why the plan is not accepted, one line per failing direction or chain problem
 */
public record FleetPlan(Fleet fleet, PlanSettings settings, Baseline baseline, List<PlanEntry> entries,
                        RegSet hidden, RegSet fake, List<FeatureDifference> featureDifferences, List<HostView> views,
                        Matrix before, Matrix after, ChainReport chains, List<String> rejections) {

    public FleetPlan {
        entries = List.copyOf(entries);
        featureDifferences = List.copyOf(featureDifferences);
        views = List.copyOf(views);
        rejections = List.copyOf(rejections);
    }

    public boolean accepted() {
        return rejections.isEmpty();
    }

    public List<HostClass> classes() {
        return fleet.classes();
    }

    public Semantics semantics() {
        return settings.semantics();
    }

    public Optional<PlanEntry> entry(RegId id) {
        return entries.stream().filter(e -> e.id().equals(id)).findFirst();
    }

    public List<PlanEntry> entries(Action a) {
        return entries.stream().filter(e -> e.action() == a).collect(Collectors.toList());
    }

    public List<PlanEntry> entries(Safety s) {
        return entries.stream().filter(e -> e.safety() == s).collect(Collectors.toList());
    }

    /** Whether there is anything to put on a command line or in a compat array. */
    public boolean hasLists() {
        return !hidden.isEmpty() || !fake.isEmpty();
    }

    /**
     * Why a class lists (or does not list) an entry's register, from the kernel database; empty for classes that did
     * not come from it.
     */
    public Optional<String> why(PlanEntry e, int classIndex) {
        return classes().get(classIndex).kernel().map(k -> {
            String w = KernelRegDb.explain(k, e.id());
            return w.startsWith("listed: ") ? w.substring("listed: ".length()) : w;
        });
    }
}
