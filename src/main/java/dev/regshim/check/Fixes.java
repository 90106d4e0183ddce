package dev.regshim.check;

import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.LoadSettings;
import dev.regshim.cpreg.RegIssue;
import dev.regshim.cpreg.Semantics;
import dev.regshim.cpreg.ValueConflict;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;
import dev.regshim.regs.fields.FieldDiff;
import dev.regshim.regs.fields.IdRegisterFields;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/**
 * Proposes what would make a failing check load: hide or fake the registers only the source has (with the property
 * names of the chosen semantics), rewrite the stream when the QEMU in use has no such property, or, for value
 * conflicts, a CPU-model change — hiding cannot fix a register the guest has already read.
 */
public final class Fixes {

    /** Explains a value conflict (ID-register field by field when known). Replaceable so richer decoders plug in. */
    private static volatile BiFunction<RegId, long[], String> conflictExplainer = Fixes::fieldExplanation;

    private Fixes() {
    }

    public static void setConflictExplainer(BiFunction<RegId, long[], String> explainer) {
        conflictExplainer = explainer;
    }

    /** {@code 0x… → 0x…: APA 1→0, GPA 1→0: features removed (unsafe: APA ...)} from the ID-register field tables. */
    static String fieldExplanation(RegId id, long[] v) {
        String values = String.format("0x%016x → 0x%016x", v[0], v[1]);
        if (!IdRegisterFields.hasLayout(id)) {
            return values;
        }
        FieldDiff d = IdRegisterFields.diff(id, v[0], v[1]);
        String unsafe = d.unsafeChanges().stream().map(c -> c.field() + ": " + c.reason())
                .collect(Collectors.joining("; "));
        return values + ": " + d.summary() + (unsafe.isEmpty() ? " (each change is safe for the guest)" : " (unsafe: " + unsafe + ")");
    }

    public static String explainConflict(ValueConflict c) {
        return conflictExplainer.apply(c.id(), new long[]{c.incoming(), c.destination()});
    }

    static List<Fix> propose(List<VcpuCheck> vcpus, LoadSettings s) {
        Map<RegId, TreeSet<Long>> incomingOnly = new TreeMap<>();
        Map<RegId, Boolean> valueUnknown = new TreeMap<>();
        List<RegId> silentlyLost = new ArrayList<>();
        for (VcpuCheck v : vcpus) {
            for (RegIssue r : v.outcome().unexpected()) {
                add(incomingOnly, valueUnknown, r);
            }
            for (RegIssue r : v.outcome().ignoredTail()) {
                if (!silentlyLost.contains(r.id())) {
                    silentlyLost.add(r.id());
                }
            }
        }
        List<Fix> fixes = new ArrayList<>();
        List<RegId> inert = new ArrayList<>();
        List<RegId> live = new ArrayList<>();
        incomingOnly.forEach((id, values) -> {
            boolean zero = !valueUnknown.getOrDefault(id, false) && values.stream().allMatch(x -> x == 0L);
            (zero ? inert : live).add(id);
        });
        if (!incomingOnly.isEmpty()) {
            propose(fixes, inert, true, s);
            propose(fixes, live, false, s);
        }
        if (!silentlyLost.isEmpty()) {
            fixes.add(new Fix(Fix.Kind.NONE, silentlyLost, null, false,
                    "stock QEMU ignores incoming registers that sort after its last one: " + names(silentlyLost)
                            + " load without error but their values are dropped"));
        }
        Map<RegId, ValueConflict> conflicts = new TreeMap<>();
        MigrationCheck.conflicts(vcpus).forEach(c -> conflicts.putIfAbsent(c.id(), c));
        for (ValueConflict c : conflicts.values()) {
            fixes.add(new Fix(Fix.Kind.CPU_MODEL, List.of(c.id()), null, false,
                    RegCatalog.get().name(c.id()) + ": " + explainConflict(c) + " — " + c.reason()
                            + "; hiding or faking cannot fix a value the guest has already seen: "
                            + "use CPU models that agree on it (or rewrite with a policy that allows a safe change)"));
        }
        return fixes;
    }

    private static void add(Map<RegId, TreeSet<Long>> m, Map<RegId, Boolean> unknown, RegIssue r) {
        TreeSet<Long> set = m.computeIfAbsent(r.id(), k -> new TreeSet<>());
        if (r.value().isPresent()) {
            set.add(r.value().getAsLong());
        } else {
            unknown.put(r.id(), true);
        }
    }

    private static void propose(List<Fix> fixes, List<RegId> regs, boolean inert, LoadSettings s) {
        if (regs.isEmpty()) {
            return;
        }
        String valueNote = inert ? "their value is 0 in the stream (nothing to lose)"
                : "a value is non-zero or unknown: dropping it may lose guest state";
        Semantics sem = s.semantics();
        boolean propertiesUsable = sem == Semantics.SERIES_V2 || (sem == Semantics.SERIES_V1 && s.accel() == Accel.KVM);
        if (propertiesUsable) {
            fixes.add(new Fix(Fix.Kind.HIDE, regs, sem.hiddenProperty(), inert,
                    "hide " + names(regs) + " on both ends (" + sem.hiddenProperty() + " in the machine type's compat): "
                            + "the source stops sending them; " + valueNote));
            fixes.add(new Fix(Fix.Kind.FAKE, regs, sem.fakeProperty(), inert,
                    "or fake them on the destination (" + sem.fakeProperty() + "): accepted from the stream, value dropped; "
                            + valueNote));
        } else if (sem == Semantics.QEMU_11_1) {
            List<RegId> tolerable = regs.stream().filter(id -> dev.regshim.cpreg.Tolerance.find(id, s.accel()) != null)
                    .collect(Collectors.toList());
            if (!tolerable.isEmpty()) {
                fixes.add(new Fix(Fix.Kind.NONE, tolerable, null, false, "QEMU 11.1 tolerates " + names(tolerable)
                        + " only under its value condition, which the stream does not meet"));
            }
        } else {
            String why = sem == Semantics.SERIES_V1
                    ? "series v1's properties exist for KVM vCPUs only"
                    : "stock QEMU has no property to hide or fake registers";
            fixes.add(new Fix(Fix.Kind.HIDE, regs, null, inert, why + " (" + names(regs) + "); run QEMU with the series ("
                    + "x-mig-hidden-regs / x-mig-safe-missing-regs), or rewrite the stream"));
        }
    }

    static String names(List<RegId> regs) {
        return regs.stream().map(id -> RegCatalog.get().name(id)).collect(Collectors.joining(", "));
    }
}
