package dev.regshim.plan;

import dev.regshim.policy.InertRule;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegClass;
import dev.regshim.regs.RegId;
import dev.regshim.regs.WellKnownRegs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Decides whether a register that some host classes list and others do not may be left out of a migration
 * (hidden, or accepted and dropped where missing) without the guest noticing:
 *
 * <ol>
 *   <li>registers whose meaning regshim knows: {@code KVM_REG_ARM_VENDOR_HYP_BMAP_2} is set by the VMM and safe
 *       only while 0; the other firmware registers only while unchanged; the EL1 physical timer only while the guest
 *       does not use it; a DEMUX CCSIDR for a cache no host's CLIDR_EL1 describes is inert; QEMU's bogus AArch32
 *       DBGDTRTX always UNDEFs;</li>
 *   <li>registers a CPU feature gates ({@link GuestFeature#gating}): safe when no class that lists the register lets
 *       its guests see the feature (the guest cannot access it, so it keeps its reset value), unsafe when one does
 *       (the register difference is a CPU feature difference: fix the CPU model, not the compat), conditional when a
 *       profile does not tell;</li>
 *   <li>operator declarations ({@code --inert REG[=VALUE]});</li>
 *   <li>anything else is unsafe: regshim does not emit what it cannot show to be inert.</li>
 * </ol>
 */
public final class RegisterClassifier {

    public static final RegId BMAP_2 = WellKnownRegs.VENDOR_HYP_BMAP_2;
    static final String BMAP_2_CONDITION = "KVM_REG_ARM_VENDOR_HYP_BMAP_2 == 0";
    /** KVM's reset value of BMAP_2: no vendor hypercall service 64-127 exposed. */
    static final long BMAP_2_RESET = 0;
    /** PMMIR_EL1, which KVM lists from 7.3 for every vCPU with a PMU. */
    public static final RegId PMMIR_EL1 = WellKnownRegs.PMMIR_EL1;
    static final String PMMIR_CONDITION = "PMMIR_EL1 == 0";
    /** What 7.3 reports without KVM_ARM_VCPU_PMU_V3_STRICT, and what older kernels show the guest. */
    static final long PMMIR_RESET = 0;
    /** QEMU's bogus AArch32 DBGDTRTX view (TCG, QEMU 10.0 and earlier). */
    public static final RegId DBGDTRTX = WellKnownRegs.DBGDTRTX;
    /** KVM_REG_ARM_PTIMER_CNT / _CTL / _CVAL: the EL1 physical timer. */
    static final List<RegId> PTIMER = WellKnownRegs.PTIMER;
    /** Registers QEMU reads or writes directly, outside its cpreg list: hiding them aborts QEMU (series patch 4). */
    static final List<RegId> DIRECTLY_ACCESSED = List.of(WellKnownRegs.MPIDR_EL1, WellKnownRegs.TIMER_CNT);

    /** CLIDR_EL1 Ctype<n>: 3 bits per cache level. */
    private static final int LISTED_NAMES = 4;

    private final List<HostClass> classes;
    private final List<InertRule> inert;

    public RegisterClassifier(List<HostClass> classes, List<InertRule> inert) {
        this.classes = classes;
        this.inert = List.copyOf(inert);
    }

    public static boolean directlyAccessed(RegId id) {
        return DIRECTLY_ACCESSED.contains(id);
    }

    public Classification classify(RegId id, List<Integer> listedBy, List<Integer> missingFrom) {
        String name = RegCatalog.get().name(id);
        Optional<Classification> known = known(id, name);
        if (known.isPresent()) {
            return known.get();
        }
        Optional<GuestFeature> gate = GuestFeature.gating(id);
        if (gate.isPresent()) {
            return byFeature(gate.get(), listedBy, missingFrom);
        }
        Optional<Classification> declared = declared(id, name);
        if (declared.isPresent()) {
            return declared.get();
        }
        return Classification.unsafe("regshim knows no reason why " + name + " would be inert for the guest",
                "keep the hosts that list it (" + labels(listedBy) + ") and those that do not (" + labels(missingFrom)
                        + ") in separate migration pools, or declare it inert with --inert " + name + "[=VALUE] if the "
                        + "guest cannot use it", null);
    }

    private Optional<Classification> known(RegId id, String name) {
        if (id.equals(BMAP_2)) {
            return Optional.of(Classification.conditionalOnValue("a firmware bitmap the VMM sets and the guest cannot "
                    + "change: bits 0-1 offer the vendor hypercalls that discover target implementation CPUs (new in kernel "
                    + "6.15); 0, KVM's reset value, offers nothing, and QEMU sets it only for target-implementation CPUs",
                    BMAP_2_CONDITION, BMAP_2_RESET));
        }
        if (id.equals(PMMIR_EL1)) {
            return Optional.of(Classification.conditionalOnValue("the PMU implementation register: kernels from 7.3 "
                    + "list it for every vCPU with a PMU and report 0 unless the VMM asks for KVM_ARM_VCPU_PMU_V3_STRICT; "
                    + "older kernels do not list it and show the guest 0", PMMIR_CONDITION, PMMIR_RESET));
        }
        if (id.equals(DBGDTRTX)) {
            return Optional.of(Classification.safe("QEMU's bogus AArch32 DBGDTRTX view always UNDEFs for the guest", null));
        }
        if (PTIMER.contains(id)) {
            return Optional.of(Classification.conditional("the EL1 physical timer's state; older kernels do not list it, "
                    + "and Linux guests at EL1 use the virtual timer", "the guest does not use the EL1 physical timer", null));
        }
        RegClass c = id.regClass();
        if (c == RegClass.FW || c == RegClass.FW_FEAT_BMAP) {
            return Optional.of(Classification.conditional("a firmware register the VMM sets and the guest cannot change",
                    name + " keeps its default value", null));
        }
        if (c == RegClass.DEMUX_CCSIDR) {
            return Optional.of(ccsidr(id, name));
        }
        return Optional.empty();
    }

    /** A CCSIDR for a cache no host describes is never selected by the guest (CSSELR follows the guest's CLIDR_EL1). */
    private Classification ccsidr(RegId id, String name) {
        int csselr = (int) (id.value() & RegId.DEMUX_VAL_MASK);
        boolean allKnown = classes.stream().allMatch(k -> k.kernel().isPresent());
        boolean described = classes.stream().map(HostClass::kernel).flatMap(Optional::stream)
                .anyMatch(k -> dev.regshim.kernel.KernelRegDb.hostCacheExists(csselr, k.features().hostClidr()));
        String cache = "level " + ((csselr >> 1) + 1) + ((csselr & 1) != 0 ? " instruction" : " data/unified") + " cache";
        if (allKnown && !described) {
            return Classification.safe("no host's CLIDR_EL1 describes the " + cache + " it reports, so the guest never "
                    + "selects it", null);
        }
        return Classification.conditional(name + " reports the " + cache,
                "the guest's CLIDR_EL1 does not describe the " + cache, null);
    }


    private Classification byFeature(GuestFeature f, List<Integer> listedBy, List<Integer> missingFrom) {
        List<Integer> yes = new ArrayList<>();
        List<Integer> unknown = new ArrayList<>();
        for (int c : listedBy) {
            Tri t = classes.get(c).sees(f);
            if (t == Tri.YES) {
                yes.add(c);
            } else if (t == Tri.UNKNOWN) {
                unknown.add(c);
            }
        }
        if (!yes.isEmpty()) {
            return Classification.unsafe(f.title() + " is visible to guests on " + labels(yes) + " (" + f.idField()
                    + "), so they may use the register; " + labels(missingFrom) + " cannot give it back: "
                    + "a CPU feature difference, not a register list difference", f.remedy(), f);
        }
        if (!unknown.isEmpty()) {
            return Classification.conditional("the register is reachable only with " + f.title()
                    + "; " + whyUnknown(unknown, f),
                    "guests on " + labels(unknown) + " do not see " + f.title() + " (" + f.idField() + " = 0)", f);
        }
        return Classification.safe(f.title() + " is absent for guests on every host (" + f.idField() + " = 0): "
                + "the register is inaccessible to them and keeps its reset value", f);
    }

    /** One clause per distinct reason: "the profile of c has register values, but no ID_AA64DFR0_EL1.PMUVer ...". */
    private String whyUnknown(List<Integer> unknown, GuestFeature f) {
        Map<String, List<Integer>> byReason = new LinkedHashMap<>();
        for (int c : unknown) {
            byReason.computeIfAbsent(Fleet.whyUnknown(classes.get(c).profile(), f), k -> new ArrayList<>()).add(c);
        }
        List<String> parts = new ArrayList<>();
        byReason.forEach((why, idx) -> parts.add(idx.size() == 1 ? "the profile of " + labels(idx) + " has " + why
                : "the profiles of " + labels(idx) + " have " + why));
        return String.join("; ", parts);
    }

    private Optional<Classification> declared(RegId id, String name) {
        for (InertRule r : inert) {
            if (r.id().equals(id)) {
                if (r.value().isPresent()) {
                    return Optional.of(Classification.conditionalOnValue("declared inert by the operator (--inert)",
                            String.format("%s == 0x%x", name, r.value().getAsLong()), r.value().getAsLong()));
                }
                return Optional.of(Classification.safe("declared inert by the operator (--inert)", null));
            }
        }
        return Optional.empty();
    }

    String labels(List<Integer> idx) {
        if (idx.isEmpty()) {
            return "no host";
        }
        List<String> names = idx.stream().limit(LISTED_NAMES).map(i -> classes.get(i).label()).collect(Collectors.toList());
        String s = String.join(", ", names);
        return idx.size() > LISTED_NAMES ? s + " and " + (idx.size() - LISTED_NAMES) + " more" : s;
    }
}
