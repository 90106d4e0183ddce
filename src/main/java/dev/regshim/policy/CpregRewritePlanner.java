package dev.regshim.policy;

import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.KvmValueRule;
import dev.regshim.cpreg.TcgConstRegisters;
import dev.regshim.regs.CpregArray;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegSet;
import dev.regshim.regs.WellKnownRegs;
import dev.regshim.regs.fields.IdGate;
import dev.regshim.regs.fields.IdRegisterFields;
import dev.regshim.regs.fields.KvmVisibility;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Plans the new cpreg arrays of one vCPU so that the destination accepts them without losing guest state:
 * <ul>
 *   <li>a register the destination does not have (or the user hides) is dropped only if its value is inert;</li>
 *   <li>a register only the destination has is added with the destination's value when known (QEMU would otherwise
 *       write a stale buffer under TCG), else left to the destination;</li>
 *   <li>a constant (ID) register whose value differs takes the destination's value only if every field moves in its
 *       safe direction;</li>
 *   <li>every other register keeps the source's value.</li>
 * </ul>
 * What the policy does not allow becomes a {@link Refusal}; under {@link Policy#FORCE} it is done and marked lossy.
 */
public final class CpregRewritePlanner {

    /**
     * Whether the vCPU has EL2: its state carries HCR_EL2 (KVM lists the EL2 registers only for a nested-virt vCPU,
     * QEMU under TCG only with virtualization=on) and its ID_AA64PFR0_EL1 does not say EL2 is absent. The ID field
     * alone does not tell: KVM 6.12 reports EL2 implemented to vCPUs that cannot enter it.
     */
    static boolean hasEl2(CpregArray src) {
        OptionalLong pfr0 = src.valueOf(WellKnownRegs.ID_AA64PFR0_EL1);
        boolean fieldSaysNo = pfr0.isPresent() && !IdRegisterFields.hasEl2(pfr0.getAsLong());
        return !fieldSaysNo && src.indexOf(WellKnownRegs.HCR_EL2.value()) >= 0;
    }

    /** Registers whose value 0 loses nothing when dropped, and why. */
    private static final java.util.Map<RegId, String> ZERO_LOSES_NOTHING = java.util.Map.of(
            WellKnownRegs.VENDOR_HYP_BMAP_2, "value 0 means unused (no service exposed to the guest)",
            WellKnownRegs.PMMIR_EL1, "value 0 is what kernels before 7.3 show the guest (they read PMMIR_EL1 as "
                    + "zero), and what 7.3 reports without KVM_ARM_VCPU_PMU_V3_STRICT");

    /**
     * KVM's reset value for registers it does not define a reset for ({@code reset_unknown}): a register still
     * holding it was never written by the guest.
     */
    static final long KVM_RESET_UNKNOWN = 0x1de7ec7edbadc0deL;

    private CpregRewritePlanner() {
    }

    /**
     * @param kvm what the destination kernel's KVM_SET_ONE_REG accepts (under KVM: a value it accepts stays the
     *            guest's; one it refuses must change or the rewrite refuses)
     */
    public record Options(Accel accel, RegSet hide, RegSet fake, Policy policy, List<InertRule> inert, IdChangeJudge judge,
                          KvmValueRule kvm) {
        public Options {
            hide = hide == null ? RegSet.empty() : hide;
            fake = fake == null ? RegSet.empty() : fake;
            inert = inert == null ? List.of() : List.copyOf(inert);
            judge = judge == null ? FieldRulesJudge.INSTANCE : judge;
            kvm = kvm == null ? KvmValueRule.CONSERVATIVE : kvm;
        }

        public Options(Accel accel, RegSet hide, RegSet fake, Policy policy, List<InertRule> inert, IdChangeJudge judge) {
            this(accel, hide, fake, policy, inert, judge, null);
        }
    }

    public static VcpuRewrite plan(int instance, CpregArray src, CpregArray dst, Options o) {
        return plan(instance, src, dst, o, OptionalInt.empty());
    }

    /**
     * @param currentEl the exception level the vCPU executes at (from its PSTATE), when known: the registers of
     *                  that level and above are in use, so none of them is ever inert
     */
    public static VcpuRewrite plan(int instance, CpregArray src, CpregArray dst, Options o, OptionalInt currentEl) {
        if (!src.hasValues()) {
            throw new IllegalArgumentException("a rewrite needs the source's values");
        }
        RegSet all = src.idSet().union(dst.idSet());
        boolean guestHasEl2 = hasEl2(src);
        long[] ids = new long[all.size()];
        long[] values = new long[all.size()];
        int n = 0;
        List<RegisterChange> changes = new ArrayList<>();
        // each feature's registers in the source, found once per vCPU rather than once per dropped register
        Map<FeatureGates.Feature, List<RegId>> groups = new HashMap<>();
        List<Refusal> refusals = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        RegCatalog cat = RegCatalog.get();
        if (!dst.hasValues()) {
            notes.add("the destination's values are unknown: registers it alone has are left to it, and ID register "
                    + "values could not be compared");
        }
        for (RegId id : all) {
            // one lookup per side (binary searches on QEMU's sorted arrays)
            int si = src.indexOf(id.value());
            int di = dst.indexOf(id.value());
            boolean inSrc = si >= 0;
            boolean inDst = di >= 0;
            OptionalLong sv = inSrc ? OptionalLong.of(src.value(si)) : OptionalLong.empty();
            OptionalLong dv = inDst && dst.hasValues() ? OptionalLong.of(dst.value(di)) : OptionalLong.empty();
            boolean hidden = o.hide().contains(id);
            if (inSrc && (!inDst || hidden)) {
                long v = sv.getAsLong();
                Optional<String> why = inertReason(id, v, src, dst, inDst ? dv : OptionalLong.empty(), o, hidden, currentEl,
                        groups);
                if (why.isPresent()) {
                    changes.add(new RegisterChange(RegisterChange.Kind.DROPPED, id, sv, OptionalLong.empty(), why.get(), false));
                } else if (o.policy() == Policy.FORCE) {
                    changes.add(new RegisterChange(RegisterChange.Kind.DROPPED, id, sv, OptionalLong.empty(),
                            dropWhy(hidden, o.fake().contains(id)) + "; FORCED: value " + hex(v) + " is discarded", true));
                } else {
                    String evidence = gateEvidence(id, src, currentEl);
                    refusals.add(new Refusal(instance, id, sv, dv, dropWhy(hidden, o.fake().contains(id)) + ", but its value " + hex(v)
                            + " is not shown to be inert" + evidence + (evidence.isEmpty() ? inertHint(id, v, inDst, o) : "")));
                }
                continue;
            }
            if (!inSrc) {
                if (hidden) {
                    continue;
                }
                if (dv.isPresent()) {
                    long d = dv.getAsLong();
                    if (isConst(id, o.accel()) && TcgConstRegisters.isFeatureId(id)) {
                        IdChangeJudge.Judgement j = o.judge().judge(id, 0L, d, guestHasEl2);
                        if (!j.safe() && o.policy() != Policy.FORCE) {
                            refusals.add(new Refusal(instance, id, OptionalLong.empty(), dv,
                                    "the source does not list " + cat.name(id) + " (the guest read it as 0); the destination "
                                            + "presents " + hex(d) + ": " + j.summary()));
                            continue;
                        }
                        changes.add(new RegisterChange(RegisterChange.Kind.ADDED, id, OptionalLong.empty(), dv,
                                "only the destination has it: its constant value (" + j.summary() + ")", !j.safe()));
                    } else if (isConst(id, o.accel())) {
                        changes.add(new RegisterChange(RegisterChange.Kind.ADDED, id, OptionalLong.empty(), dv,
                                "only the destination has it: its constant value (not a feature ID register: the "
                                        + "source's CPU model does not have the register at all)", false));
                    } else {
                        changes.add(new RegisterChange(RegisterChange.Kind.ADDED, id, OptionalLong.empty(), dv,
                                "only the destination has it: its own reset value, as the destination would keep it", false));
                    }
                    ids[n] = id.value();
                    values[n++] = d;
                }
                continue;
            }
            // in both
            long v = sv.getAsLong();
            if (dv.isPresent() && dv.getAsLong() != v && o.accel() == Accel.KVM) {
                KvmValueRule.Verdict kvm = o.kvm().check(id, v, dv.getAsLong());
                if (kvm.accepted()) {
                    ids[n] = id.value();
                    values[n++] = v; // the destination's KVM takes the guest's own value: nothing to change
                    continue;
                }
                if (!isConst(id, o.accel())) {
                    long d = dv.getAsLong();
                    if (o.policy() == Policy.STRICT) {
                        refusals.add(new Refusal(instance, id, sv, dv, "the destination's KVM refuses the guest's value "
                                + hex(v) + " (" + kvm.reason() + "); its own " + hex(d) + " would change what the guest "
                                + "was given (--policy tolerant accepts that)"));
                        continue;
                    }
                    changes.add(new RegisterChange(RegisterChange.Kind.CHANGED, id, sv, dv, "the destination's KVM "
                            + "refuses " + hex(v) + " (" + kvm.reason() + "): its own value instead"
                            + (o.policy() == Policy.FORCE ? "; FORCED" : "; tolerant"), o.policy() == Policy.FORCE));
                    ids[n] = id.value();
                    values[n++] = d;
                    continue;
                }
            }
            if (dv.isPresent() && dv.getAsLong() != v && isConst(id, o.accel())) {
                long d = dv.getAsLong();
                IdChangeJudge.Judgement j = o.judge().judge(id, v, d, guestHasEl2);
                if (j.safe()) {
                    changes.add(new RegisterChange(RegisterChange.Kind.CHANGED, id, sv, dv,
                            "constant register: the destination accepts only its own value; safe for the guest: " + j.summary(), false));
                    v = d;
                } else if (o.policy() == Policy.FORCE) {
                    changes.add(new RegisterChange(RegisterChange.Kind.CHANGED, id, sv, dv,
                            "constant register; FORCED although unsafe for the guest: " + j.summary(), true));
                    v = d;
                } else {
                    refusals.add(new Refusal(instance, id, sv, dv, "the destination only accepts " + hex(d)
                            + " but the guest saw " + hex(v) + ": " + j.summary()));
                }
            }
            ids[n] = id.value();
            values[n++] = v;
        }
        if (o.accel() == Accel.KVM && dst.hasValues()) {
            showGatedFeatures(instance, ids, values, n, dst, o, guestHasEl2, changes, refusals);
        }
        return new VcpuRewrite(instance, src, CpregArray.adopt(Arrays.copyOf(ids, n), Arrays.copyOf(values, n)), List.copyOf(changes), List.copyOf(refusals), List.copyOf(notes));
    }

    /**
     * KVM hides a register behind an ID field once the VM's ID register is written without the feature
     * ({@link KvmVisibility}): QEMU writes the stream's ID value, then cannot put the register its own list has
     * ("unknown to KVM"), as real 6.12 -> 6.18/7.3 showed for SCTLR2_EL1 on a host with FEAT_SCTLR2. Where the
     * destination keeps such a register and shows the feature, the planned ID value takes the destination's field
     * (a feature the guest never saw being added, judged like any ID change); else the load would fail.
     */
    private static void showGatedFeatures(int instance, long[] ids, long[] values, int n, CpregArray dst, Options o,
                                          boolean guestHasEl2, List<RegisterChange> changes, List<Refusal> refusals) {
        for (int i = 0; i < n; i++) {
            RegId id = RegId.of(ids[i]);
            Optional<IdGate> gate = KvmVisibility.gate(id);
            if (gate.isEmpty() || dst.indexOf(ids[i]) < 0) {
                continue;
            }
            IdGate g = gate.get();
            RegId idReg = g.field().id();
            int j = Arrays.binarySearch(ids, 0, n, idReg.value());
            OptionalLong dstId = dst.valueOf(idReg);
            if (j < 0 || dstId.isEmpty() || g.shown(values[j]) || !g.shown(dstId.getAsLong())) {
                continue;
            }
            long before = values[j];
            long after = g.field().withFieldOf(before, dstId.getAsLong());
            String why = "KVM hides " + RegCatalog.get().name(id) + " (which the destination keeps) once the VM's "
                    + g.field() + " is written without the feature";
            IdChangeJudge.Judgement judged = o.judge().judge(idReg, before, after, guestHasEl2);
            if (!judged.safe() && o.policy() != Policy.FORCE) {
                refusals.add(new Refusal(instance, idReg, OptionalLong.of(before), dstId, why + "; showing it: "
                        + judged.summary()));
                continue;
            }
            // an ID register already changed (or added) keeps what the guest saw as its old value
            OptionalLong guestSaw = changes.stream().filter(c -> c.id().equals(idReg)).map(RegisterChange::oldValue)
                    .findFirst().orElse(OptionalLong.of(before));
            changes.removeIf(c -> c.id().equals(idReg));
            changes.add(new RegisterChange(RegisterChange.Kind.CHANGED, idReg, guestSaw,
                    OptionalLong.of(after), why + ": the destination's " + g.field().name() + " instead ("
                    + judged.summary() + ")", !judged.safe()));
            values[j] = after;
        }
    }

    private static boolean isConst(RegId id, Accel accel) {
        // Under KVM the same ID space is what SET_ONE_REG guards; the TCG constant set covers it.
        return TcgConstRegisters.isConst(id);
    }

    private static String dropWhy(boolean hidden, boolean faked) {
        return hidden ? "hidden (--hide): not migrated"
                : faked ? "faked (--fake): the destination does not have it and drops its value"
                : "the destination does not have it";
    }

    /** Why dropping this value loses nothing, under the policy; empty when it might. */
    private static Optional<String> inertReason(RegId id, long v, CpregArray src, CpregArray dst, OptionalLong dstValue,
                                                Options o, boolean hidden, OptionalInt currentEl,
                                                Map<FeatureGates.Feature, List<RegId>> groups) {
        String base = dropWhy(hidden, o.fake().contains(id));
        for (InertRule r : o.inert()) {
            if (r.matches(id, v)) {
                return Optional.of(base + "; value " + hex(v) + " declared inert (--inert " + r + ")");
            }
        }
        if (dstValue.isPresent() && dstValue.getAsLong() == v) {
            return Optional.of(base + "; value " + hex(v) + " equals the destination's own");
        }
        Optional<String> shared = SharedState.carriedBy(id, v, src, dst, o);
        if (shared.isPresent()) {
            return Optional.of(base + "; " + shared.get());
        }
        if (v == 0 && ZERO_LOSES_NOTHING.containsKey(id)) {
            return Optional.of(base + "; " + ZERO_LOSES_NOTHING.get(id));
        }
        Optional<FeatureGates.Feature> gate = FeatureGates.gate(id);
        if (gate.isEmpty()) {
            return Optional.empty();
        }
        FeatureGates.Feature f = gate.get();
        if (runsAt(f, currentEl)) {
            return Optional.empty();
        }
        Optional<Boolean> present = FeatureGates.present(f, src);
        if (present.isPresent() && !present.get()) {
            String evidence = "the guest's " + FeatureGates.describe(f, src) + " shows " + f.name() + " absent, so it cannot access it";
            if (v == 0) {
                return Optional.of(base + "; value 0 and " + evidence);
            }
            if (v == KVM_RESET_UNKNOWN && o.accel() == Accel.KVM) {
                return Optional.of(base + "; value " + hex(v) + " is KVM's reset pattern (never written) and " + evidence);
            }
            if (o.policy() == Policy.TOLERANT) {
                return Optional.of(base + "; tolerant: " + evidence + " (value " + hex(v) + " is unreachable)");
            }
            return Optional.empty();
        }
        if (o.policy() == Policy.TOLERANT) {
            List<RegId> group = groups.computeIfAbsent(f, g -> FeatureGates.group(g, src));
            boolean allZero = !group.isEmpty() && group.stream().allMatch(g -> src.valueOf(g).orElse(1) == 0);
            if (allZero) {
                return Optional.of(base + "; tolerant: all " + group.size() + " " + f.name()
                        + " registers are still 0, so the guest never enabled it");
            }
        }
        return Optional.empty();
    }

    /** The vCPU executes at the feature's exception level (or above), so it is using those registers. */
    private static boolean runsAt(FeatureGates.Feature f, OptionalInt currentEl) {
        int level = FeatureGates.level(f);
        return level > 0 && currentEl.isPresent() && currentEl.getAsInt() >= level;
    }

    /**
     * The way out a user can take with knowledge regshim lacks: a constant (ID) register a destination does not
     * migrate is still presented to the guest by its CPU model (e.g. QEMU 11.1 TCG stopped listing
     * ID_AA64ISAR0_EL1), and the same -cpu with the same properties presents the same value. Only for constants:
     * for any other register the declaration would discard state the guest may be using.
     */
    private static String inertHint(RegId id, long value, boolean inDst, Options o) {
        String decl = "--inert " + RegCatalog.get().name(id) + "=" + hex(value);
        if (!inDst && isConst(id, o.accel())) {
            return "; a constant register the destination does not migrate: if its CPU model presents the same value "
                    + "(same -cpu and properties), declare it with " + decl;
        }
        // state the guest may be using (SVCR, keys, ...) gets no ready-made way out: losing it is the user's call
        return "";
    }

    private static String gateEvidence(RegId id, CpregArray src, OptionalInt currentEl) {
        Optional<FeatureGates.Feature> gate = FeatureGates.gate(id);
        if (gate.isEmpty()) {
            return "";
        }
        if (runsAt(gate.get(), currentEl)) {
            return " (the vCPU is executing at EL" + currentEl.getAsInt() + ")";
        }
        Optional<Boolean> present = FeatureGates.present(gate.get(), src);
        return present.map(p -> p ? " (the guest's " + FeatureGates.describe(gate.get(), src) + " shows " + gate.get().name() + " present)"
                : " (" + gate.get().name() + " is absent in the guest's ID registers: --policy tolerant would drop it)").orElse("");
    }

    static String hex(long v) {
        return String.format("0x%016x", v);
    }
}
