package dev.regshim.plan;

import dev.regshim.cpreg.CpuLoadModel;
import dev.regshim.cpreg.LoadSettings;
import dev.regshim.cpreg.Semantics;
import dev.regshim.cpreg.Tolerance;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegSet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Computes a {@link FleetPlan}. The decision rules, for every register that not every host class lists:
 *
 * <ol>
 *   <li>Classify it ({@link RegisterClassifier}): safe, conditional or unsafe. An unsafe register is never put in a
 *       list: the plan names the CPU-model change (or separate pools) instead, and the directions it breaks stay
 *       failing, so the plan is not accepted.</li>
 *   <li>With a QEMU that has the properties (series v1 / v2): a register the {@link Baseline} lists is faked where
 *       missing (a register newer kernels dropped, like TCR2_EL1, PIRE0_EL1, PIR_EL1: guests may carry it, hosts that
 *       lack it accept and drop it); a register the baseline does not list is hidden everywhere (one newer kernels
 *       added, like KVM_REG_ARM_VENDOR_HYP_BMAP_2: the machine type never had it), unless QEMU accesses it directly
 *       (hiding would abort QEMU), in which case it is faked. With series v1, {@code kvm-enforced-regs} only takes
 *       effect where the kernel lacks the register; with v2 {@code x-mig-safe-missing-regs} always does; the model
 *       evaluates both exactly.</li>
 *   <li>With QEMU 11.1 (no properties) or stock QEMU: nothing to emit; each register is either covered by 11.1's
 *       built-in tolerances or not, and the matrix shows which directions remain impossible.</li>
 * </ol>
 * The lists are then verified with the model: the class × class matrix before (today's QEMU, no lists) and after, and
 * every chain of three classes ({@link ChainVerifier}).
 */
public final class FleetPlanner {

    private FleetPlanner() {
    }

    public static FleetPlan plan(Fleet fleet, PlanSettings settings) {
        List<HostClass> classes = fleet.classes();
        Baseline baseline = Baseline.choose(fleet, settings.baseline(), settings.machine());
        RegisterClassifier classifier = new RegisterClassifier(classes, settings.inert());
        HostClass base = classes.get(baseline.classIndex());

        List<PlanEntry> entries = new ArrayList<>();
        for (RegId id : differing(classes)) {
            List<Integer> listedBy = new ArrayList<>();
            List<Integer> missingFrom = new ArrayList<>();
            for (HostClass c : classes) {
                (c.regs().contains(id) ? listedBy : missingFrom).add(c.index());
            }
            Classification cl = classifier.classify(id, listedBy, missingFrom);
            entries.add(decide(id, cl, base, settings, listedBy, missingFrom));
        }
        Map<RegId, PlanEntry> byId = new LinkedHashMap<>();
        entries.forEach(e -> byId.put(e.id(), e));
        RegSet hidden = RegSet.of(entries.stream().filter(e -> e.action() == Action.HIDE).map(PlanEntry::id)
                .collect(Collectors.toList()));
        RegSet fake = RegSet.of(entries.stream().filter(e -> e.action() == Action.FAKE).map(PlanEntry::id)
                .collect(Collectors.toList()));

        List<FeatureDifference> differences = featureDifferences(classes);
        MatrixBuilder mb = new MatrixBuilder(classes, byId, differences, settings.kvmRule(), settings.semantics());
        LoadSettings beforeSettings = LoadSettings.of(settings.before(), settings.accel());
        LoadSettings afterSettings = new LoadSettings(settings.semantics(), settings.accel(), hidden, fake);
        Matrix before = mb.build(settings.before().label() + ", no lists", beforeSettings, false);
        Matrix after = mb.build(settings.semantics().label() + (settings.semantics().hasCompatProperties()
                ? " with the plan's lists" : " (no lists to add)"), afterSettings, true);
        ChainReport chains = new ChainVerifier(classes, after, afterSettings, settings.kvmRule(), byId).verify();
        List<HostView> views = views(classes, afterSettings);
        List<String> rejections = rejections(classes, after, chains, afterSettings);
        return new FleetPlan(fleet, settings, baseline, entries, hidden, fake, differences, views, before, after, chains,
                rejections);
    }

    /** Registers some classes list and others do not (raw cpreg lists, before hiding). */
    static RegSet differing(List<HostClass> classes) {
        RegSet union = RegSet.empty();
        RegSet common = null;
        for (HostClass c : classes) {
            union = union.union(c.regs());
            common = common == null ? c.regs() : common.intersect(c.regs());
        }
        return common == null ? RegSet.empty() : union.minus(common);
    }

    private static PlanEntry decide(RegId id, Classification cl, HostClass base, PlanSettings s,
                                    List<Integer> listedBy, List<Integer> missingFrom) {
        if (cl.safety() == Safety.UNSAFE) {
            return new PlanEntry(id, Action.CPU_MODEL, cl, listedBy, missingFrom, "");
        }
        Semantics sem = s.semantics();
        if (!sem.hasCompatProperties()) {
            Tolerance t = sem == Semantics.QEMU_11_1 ? Tolerance.find(id, s.accel()) : null;
            String note = t == null ? "" : "QEMU 11.1 tolerance " + t.describe();
            return new PlanEntry(id, t != null ? Action.BUILT_IN : Action.NOT_COVERED, cl, listedBy, missingFrom, note);
        }
        if (base.regs().contains(id)) {
            return new PlanEntry(id, Action.FAKE, cl, listedBy, missingFrom,
                    "the baseline " + base.label() + " lists it: faked on the hosts that lack it");
        }
        if (RegisterClassifier.directlyAccessed(id)) {
            return new PlanEntry(id, Action.FAKE, cl, listedBy, missingFrom,
                    "not on the baseline, but QEMU accesses it directly (hiding would abort QEMU): faked instead");
        }
        return new PlanEntry(id, Action.HIDE, cl, listedBy, missingFrom,
                "the baseline " + base.label() + " does not list it: hidden on every host");
    }

    static List<FeatureDifference> featureDifferences(List<HostClass> classes) {
        List<FeatureDifference> out = new ArrayList<>();
        for (GuestFeature f : GuestFeature.values()) {
            List<Integer> with = new ArrayList<>();
            List<Integer> without = new ArrayList<>();
            for (HostClass c : classes) {
                Tri t = c.sees(f);
                if (t == Tri.YES) {
                    with.add(c.index());
                } else if (t == Tri.NO) {
                    without.add(c.index());
                }
            }
            if (!with.isEmpty() && !without.isEmpty()) {
                out.add(new FeatureDifference(f, with, without));
            }
        }
        return out;
    }

    private static List<HostView> views(List<HostClass> classes, LoadSettings s) {
        List<HostView> out = new ArrayList<>();
        for (HostClass c : classes) {
            RegSet hiddenHere = s.hidingActive() ? s.hidden().intersect(c.regs()) : RegSet.empty();
            RegSet fakedHere = s.fakingActive() ? s.fake().minus(c.regs()) : RegSet.empty();
            RegSet exposedHere = s.fakingActive() ? s.fake().intersect(c.regs()) : RegSet.empty();
            int sends = c.profile().vcpus().isEmpty() ? 0 : c.profile().asSent()
                    ? c.profile().vcpus().get(0).cpregs().length()
                    : CpuLoadModel.sourceSends(c.profile().vcpus().get(0).cpregs(), s).length();
            out.add(new HostView(c.index(), hiddenHere, fakedHere, exposedHere, sends));
        }
        return out;
    }

    private static List<String> rejections(List<HostClass> classes, Matrix after, ChainReport chains, LoadSettings s) {
        List<String> out = new ArrayList<>();
        if (s.semantics().hasCompatProperties() && !s.hidingActive() && (!s.hidden().isEmpty() || !s.fake().isEmpty())) {
            out.add(s.semantics().label() + " adds its properties to KVM vCPUs only: under " + s.accel().label()
                    + " the lists do nothing (use series-v2)");
        }
        for (Cell c : after.unacceptable()) {
            out.add(classes.get(c.from()).named() + " -> " + classes.get(c.to()).named() + ": " + c.verdict().shortText()
                    + ": " + String.join("; ", c.problems()) + (c.fix().isEmpty() ? "" : " => " + c.fix()));
        }
        if (!chains.enumerated()) {
            out.add("chains not verified: " + chains.paths() + " paths exceed the limit of " + ChainVerifier.MAX_PATHS);
        }
        for (ChainReport.Failure f : chains.failures()) {
            out.add("chain " + path(classes, f.path()) + " fails at hop " + f.hop() + ": " + f.error());
        }
        if (chains.chainOnly() > chains.failures().size()) {
            out.add((chains.chainOnly() - chains.failures().size()) + " more chains fail although their pairs load");
        }
        for (ChainReport.Event e : chains.events()) {
            if (e.safety() == Safety.UNSAFE) {
                out.add("chain " + path(classes, e.example()) + ": " + e.text());
            }
        }
        return out;
    }

    static String path(List<HostClass> classes, List<Integer> p) {
        StringBuilder b = new StringBuilder();
        for (int i : p) {
            if (b.length() > 0) {
                b.append(" -> ");
            }
            b.append(classes.get(i).label());
        }
        return b.toString();
    }
}
