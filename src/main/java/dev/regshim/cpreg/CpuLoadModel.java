package dev.regshim.cpreg;

import dev.regshim.regs.CpregArray;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.fields.KvmVisibility;
import dev.regshim.regs.RegSet;

import java.util.ArrayList;
import java.util.List;

/**
 * QEMU's load of one incoming {@code cpu} section's cpreg arrays, step by step as {@code target/arm/machine.c} does
 * it, under each {@link Semantics}:
 *
 * <ol>
 *   <li><b>Length.</b> {@code cpreg_vmstate_array_len} is an {@code int32 le} field: the incoming N must satisfy
 *       {@code 0 <= N <= current}, where current is the destination's list length (stock), plus 10 anomaly slots and
 *       the fake (v1) or safe-missing (v2) count with the series. 11.1 allocates the arrays and checks nothing.</li>
 *   <li><b>Merge walk</b> over the destination list (i) and the incoming list (v), both expected ascending:
 *       incoming &gt; local: the local register is missing from the stream and keeps its value;
 *       incoming &lt; local: an unknown incoming register (stock: fail at once; series: recorded, then fail unless
 *       faked / safe-missing; 11.1: fail unless tolerated); equal: the value is taken. Stock QEMU stops when the
 *       local list ends, so unknown registers sorting after the last local one are silently ignored.</li>
 *   <li><b>Values.</b> TCG writes every local register raw and reads it back: a constant register must receive
 *       exactly its own value (registers missing from the stream are written from a buffer that is zero in a fresh
 *       process). KVM calls SET_ONE_REG for each, which rejects illegal values.</li>
 * </ol>
 *
 * The model is a pure function of its inputs; it never touches QEMU.
 */
public final class CpuLoadModel {

    /** {@code MAX_CPREG_VMSTATE_ANOMALIES} of the series. */
    public static final int MAX_ANOMALIES = 10;

    private CpuLoadModel() {
    }

    /** The destination side of one vCPU: its cpreg list as its QEMU builds it (before hiding), with values if known. */
    public record DestinationVcpu(CpregArray local, RegSet kernelExposed) {
        public DestinationVcpu {
            if (kernelExposed == null) {
                kernelExposed = local.idSet();
            }
        }

        public static DestinationVcpu of(CpregArray local) {
            return new DestinationVcpu(local, null);
        }
    }

    /**
     * What a source QEMU with these settings sends for its raw cpreg list: the hidden registers are left out where
     * hiding is active. (v1's enforced registers are never in a list unless the kernel exposes them.)
     */
    public static CpregArray sourceSends(CpregArray rawSource, LoadSettings s) {
        return s.hidingActive() ? rawSource.without(s.hidden()) : rawSource;
    }

    public static CpuLoadOutcome load(int instance, CpregArray incoming, DestinationVcpu dest, LoadSettings s,
                                      KvmValueRule kvmRule) {
        return new Run(instance, incoming, dest, s, kvmRule == null ? KvmValueRule.CONSERVATIVE : kvmRule).execute();
    }

    /** One evaluation; mutable scratch state kept out of the public API. */
    private static final class Run {
        final int instance;
        final CpregArray in;
        final DestinationVcpu dest;
        final LoadSettings s;
        final KvmValueRule kvmRule;
        final CpregArray local;
        final RegSet fakeActive;
        final CpuLoadOutcome.Builder out = new CpuLoadOutcome.Builder();

        Run(int instance, CpregArray in, DestinationVcpu dest, LoadSettings s, KvmValueRule kvmRule) {
            this.instance = instance;
            this.in = in;
            this.dest = dest;
            this.s = s;
            this.kvmRule = kvmRule;
            this.local = s.hidingActive() ? dest.local().without(s.hidden()) : dest.local();
            this.fakeActive = computeFake();
            if (!s.hidingActive() && (!s.hidden().isEmpty() || !s.fake().isEmpty())) {
                out.note(s.semantics() == Semantics.SERIES_V1
                        ? "series v1 adds kvm-hidden-regs / kvm-enforced-regs to KVM vCPUs only: ignored under " + s.accel().label()
                        : s.semantics().label() + " has no hidden / fake register properties: the lists are ignored");
            }
        }

        /** v1: enforced registers are faked only where the kernel does not expose them; v2: every safe-missing one. */
        private RegSet computeFake() {
            if (!s.fakingActive()) {
                return RegSet.empty();
            }
            if (s.semantics() == Semantics.SERIES_V1) {
                return s.fake().minus(dest.kernelExposed());
            }
            return s.fake();
        }

        CpuLoadOutcome execute() {
            out.counts(in.length(), local.length());
            // QEMU stops at the first failure; the model carries on so that every offending register is named.
            checkLength();
            switch (s.semantics()) {
                case QEMU_STOCK:
                    mergeStock();
                    break;
                case QEMU_11_1:
                    merge111();
                    break;
                default:
                    mergeSeries();
                    break;
            }
            checkValues();
            putAfterFailedMerge();
            return out.build();
        }

        /** cpu_post_load returned -1 (EPERM in the releases that print the errno). */
        private String[] postLoadFailed() {
            return QemuMessages.cpuPostLoadFailed(QemuMessages.Dialect.of(s.semantics()), instance, QemuMessages.EPERM)
                    .toArray(new String[0]);
        }

        private void checkLength() {
            if (s.semantics() == Semantics.QEMU_11_1) {
                return;
            }
            long limit = local.length();
            if (s.semantics() != Semantics.QEMU_STOCK) {
                limit += MAX_ANOMALIES + (s.semantics() == Semantics.SERIES_V1 ? fakeActive.size()
                        : s.fakingActive() ? s.fake().size() : 0);
            }
            out.lengthLimit(limit);
            if (in.length() > limit) {
                out.fail(FailureKind.LENGTH,
                        QemuMessages.invalidLength(in.length(), limit),
                        QemuMessages.failedToLoadLength(),
                        QemuMessages.errorLoadingDevice(instance, "cpu"),
                        QemuMessages.loadFailed(QemuMessages.EINVAL));
            }
        }

        private long incomingValue(int v) {
            return in.hasValues() ? in.value(v) : 0;
        }

        private Long incomingValueOrNull(int v) {
            return in.hasValues() ? in.value(v) : null;
        }

        private Long localValueOrNull(int i) {
            return local.hasValues() ? local.value(i) : null;
        }

        private void mergeStock() {
            int i = 0, v = 0;
            while (i < local.length() && v < in.length()) {
                int c = Long.compareUnsigned(in.id(v), local.id(i));
                if (c > 0) {
                    out.missing(RegIssue.of(local.id(i), localValueOrNull(i), "keeps its destination value"));
                    i++;
                } else if (c < 0) {
                    out.unexpected(RegIssue.of(in.id(v), incomingValueOrNull(v), "unknown to the destination"));
                    if (!out.stopped()) {
                        firstUnexpectedId = in.id(v);
                    }
                    out.fail(FailureKind.UNKNOWN_REGISTER, postLoadFailed());
                    v++;
                } else {
                    out.matched(i, v);
                    i++;
                    v++;
                }
            }
            for (; i < local.length(); i++) {
                out.missing(RegIssue.of(local.id(i), localValueOrNull(i), "keeps its destination value"));
            }
            for (; v < in.length(); v++) {
                if (out.stopped()) {
                    // QEMU never reached the merge (e.g. the length check failed): just an unknown register
                    out.unexpected(RegIssue.of(in.id(v), incomingValueOrNull(v), "unknown to the destination"));
                } else {
                    out.ignoredTail(RegIssue.of(in.id(v), incomingValueOrNull(v),
                            "sorts after the destination's last register: silently ignored (stock QEMU bug), value lost"));
                }
            }
        }

        private void mergeSeries() {
            out.trace(QemuMessages.traceLen(local.length(), in.length()));
            int i = 0, v = 0;
            int unexpected = 0;
            List<RegId> recorded = new ArrayList<>();
            boolean kvm = s.accel() == Accel.KVM;
            while (i < local.length() || v < in.length()) {
                int c = i >= local.length() ? -1 : v >= in.length() ? 1 : Long.compareUnsigned(in.id(v), local.id(i));
                if (c > 0) {
                    RegId id = RegId.of(local.id(i));
                    out.missing(RegIssue.of(local.id(i), localValueOrNull(i), "keeps its destination value"));
                    out.trace(QemuMessages.traceMissing(i, id, v));
                    if (kvm) {
                        out.trace(QemuMessages.traceKvmMissing(id));
                    }
                    i++;
                } else if (c < 0) {
                    RegId id = RegId.of(in.id(v));
                    if (fakeActive.contains(id)) {
                        String prop = s.semantics().fakeProperty();
                        out.tolerated(RegIssue.of(in.id(v), incomingValueOrNull(v),
                                "in " + prop + ": accepted from the stream, value dropped"));
                        if (s.semantics() == Semantics.SERIES_V2) {
                            out.trace(QemuMessages.traceMissingAsExpected(v, id, i));
                        }
                    } else {
                        out.unexpected(RegIssue.of(in.id(v), incomingValueOrNull(v), "unknown to the destination"));
                        out.trace(QemuMessages.traceUnexpected(v, id, i));
                        if (unexpected < MAX_ANOMALIES) {
                            recorded.add(id);
                        }
                        unexpected++;
                    }
                    v++;
                } else {
                    out.matched(i, v);
                    i++;
                    v++;
                }
            }
            if (unexpected == 0) {
                return;
            }
            List<String> lines = new ArrayList<>();
            if (kvm) {
                for (int k = 0; k < recorded.size(); k++) {
                    lines.add(QemuMessages.kvmUnexpected(k, recorded.get(k)));
                }
            }
            lines.addAll(List.of(postLoadFailed()));
            out.fail(FailureKind.UNKNOWN_REGISTER, lines.toArray(new String[0]));
        }

        /**
         * QEMU 11.1's merge. Its verdict is that of the <em>last</em> register only the stream has, in ID order:
         * one its tolerances accept, after one that printed "fail migration", clears that failure, and the load goes
         * on without the failed registers' values (observed on real KVM: 7.3 -> 6.12, where the tolerated
         * KVM_REG_ARM_VENDOR_HYP_BMAP_2 sorts after SCTLR2_EL1 and PMMIR_EL1, loaded with those dropped; with the
         * last one untolerated the load failed). A failed merge skips the post_load's write to KVM.
         */
        private void merge111() {
            int i = 0, v = 0;
            boolean fail = false;
            List<Long> failedIds = new ArrayList<>();
            Accel accel = s.accel();
            while (i < local.length() || v < in.length()) {
                int c = i >= local.length() ? -1 : v >= in.length() ? 1 : Long.compareUnsigned(in.id(v), local.id(i));
                if (c > 0) {
                    RegId id = RegId.of(local.id(i));
                    Tolerance t = Tolerance.find(id, accel);
                    if (t != null && t.type() == Tolerance.Type.NOT_ON_BOTH_ENDS) {
                        out.tolerated(RegIssue.of(local.id(i), localValueOrNull(i), "tolerance " + t.describe() + ": may be absent from the stream"));
                        out.trace(QemuMessages.traceTolerateMissing111(id, accel));
                    } else {
                        out.missing(RegIssue.of(local.id(i), localValueOrNull(i), "keeps its destination value"));
                        out.line(QemuMessages.warnMissing111(id, accel));
                    }
                    i++;
                } else if (c < 0) {
                    RegId id = RegId.of(in.id(v));
                    Tolerance t = Tolerance.find(id, accel);
                    if (t != null && t.type() == Tolerance.Type.ONLY_SRC_TEST_VALUE && !in.hasValues()) {
                        String name = dev.regshim.regs.RegCatalog.get().name(id);
                        String cond = t.mask() == -1L ? String.format("%s == %d", name, t.value())
                                : String.format("%s & 0x%x == 0x%x", name, t.mask(), t.value());
                        out.tolerated(RegIssue.of(in.id(v), null, "tolerance " + t.describe() + ": loads only while " + cond));
                        out.condition(cond);
                        out.trace(QemuMessages.traceTolerateOnlyIncoming111(id, accel));
                        fail = false;
                    } else if (t != null && t.accepts(incomingValue(v), in.hasValues())) {
                        out.tolerated(RegIssue.of(in.id(v), incomingValueOrNull(v), "tolerance " + t.describe() + ": value dropped"));
                        out.trace(QemuMessages.traceTolerateOnlyIncoming111(id, accel));
                        fail = false;
                    } else {
                        String why = t == null ? "unknown to the destination"
                                : "unknown to the destination; tolerance " + t.describe() + " requires "
                                + (in.hasValues() ? "it, the value is " + String.format("0x%x", incomingValue(v)) : "a known value");
                        out.unexpected(RegIssue.of(in.id(v), incomingValueOrNull(v), why));
                        // printed as met, interleaved with the warnings; the load fails after the walk
                        out.line(QemuMessages.errorOnlyIncoming111(id, accel));
                        fail = true;
                        failedIds.add(in.id(v));
                    }
                    v++;
                } else {
                    out.matched(i, v);
                    i++;
                    v++;
                }
            }
            if (fail) {
                out.fail(FailureKind.UNKNOWN_REGISTER, postLoadFailed());
            } else if (!failedIds.isEmpty()) {
                out.note("QEMU 11.1 prints \"fail migration\" for " + names(failedIds) + " but a tolerated register"
                        + " after them clears that failure: the load goes on and their values are DROPPED (guest"
                        + " state lost; regshim rewrite refuses or drops them only when inert)");
            }
        }

        private static String names(List<Long> ids) {
            List<String> n = new ArrayList<>();
            ids.forEach(id -> n.add(dev.regshim.regs.RegCatalog.get().name(RegId.of(id))));
            return String.join(", ", n);
        }

        /** The value phase: TCG read-back of constants, KVM SET_ONE_REG legality. */
        private void checkValues() {
            int[] matchFor = out.matchIndex(local.length());
            if (s.accel() == Accel.KVM && !(local.hasValues() && in.hasValues()) && hiddenByListsAlone(matchFor)) {
                return;
            }
            if (!local.hasValues()) {
                out.valuesChecked(false);
                out.note("destination values are unknown: register value checks were not made");
                return;
            }
            out.valuesChecked(in.hasValues());
            if (!in.hasValues()) {
                out.note("incoming values are unknown: only registers missing from the stream were value-checked");
            }
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < local.length(); i++) {
                RegId id = RegId.of(local.id(i));
                long destValue = local.value(i);
                int v = matchFor[i];
                if (s.accel() == Accel.TCG) {
                    if (!TcgConstRegisters.isConst(id)) {
                        continue;
                    }
                    boolean fromStream = v >= 0;
                    if (fromStream && !in.hasValues()) {
                        continue;
                    }
                    long written = fromStream ? in.value(v) : 0L;
                    if (written != destValue) {
                        out.conflict(new ValueConflict(id, written, destValue, fromStream, fromStream
                                ? "constant register: QEMU's CPU model ignores the write and reads back its own value"
                                : "constant register missing from the stream: QEMU writes its stale (zero) buffer and reads back its own value"));
                    }
                } else if (in.hasValues() && hiddenByIncomingIdValue(id)) {
                    // written from the stream or kept: either way QEMU's put of it fails once KVM hides it
                    out.conflict(new ValueConflict(id, v >= 0 ? in.value(v) : destValue, destValue, v >= 0,
                            "KVM hides it once the stream's "
                            + RegCatalog.get().name(KvmVisibility.gate(id).orElseThrow().field().id())
                            + " (without the feature) is written, so QEMU cannot put its value"));
                    lines.add(QemuMessages.couldNotSetUnknown(QemuMessages.name111(id, s.accel())));
                } else if (v >= 0 && in.hasValues()) {
                    long incoming = in.value(v);
                    if (incoming == destValue) {
                        continue;
                    }
                    KvmValueRule.Verdict verdict = kvmRule.check(id, incoming, destValue);
                    if (!verdict.accepted()) {
                        out.conflict(new ValueConflict(id, incoming, destValue, true, verdict.reason()));
                        lines.add(QemuMessages.couldNotSet(QemuMessages.name111(id, s.accel()), incoming, destValue));
                    }
                }
            }
            if (out.hasConflicts()) {
                if (s.accel() == Accel.KVM) {
                    kvmRefused(lines);
                    return;
                }
                lines.addAll(List.of(postLoadFailed()));
                out.fail(FailureKind.VALUE_REJECTED, lines.toArray(new String[0]));
            }
        }

        /**
         * A register missing from the stream that the destination keeps, but that KVM hides once the stream's ID
         * register value (without the register's feature, where the destination's own value has it) is written.
         */
        private boolean hiddenByIncomingIdValue(RegId id) {
            java.util.Optional<dev.regshim.regs.fields.IdGate> g = KvmVisibility.gate(id);
            if (g.isEmpty()) {
                return false;
            }
            RegId idRegister = g.get().field().id();
            java.util.OptionalLong incoming = in.valueOf(idRegister);
            java.util.OptionalLong own = local.valueOf(idRegister);
            return incoming.isPresent() && own.isPresent() && !g.get().shown(incoming.getAsLong())
                    && g.get().shown(own.getAsLong());
        }

        /**
         * Without values on both sides (a kernel table, a register list): a register the destination lists and the
         * stream lacks, whose KVM visibility gate is an ID register the stream carries, is hidden once that ID value
         * is written. A KVM source that does not list such a register shows its ID field without the feature (KVM
         * lists these registers only with the feature, and an older kernel masks a field it does not know), while
         * the destination lists it, so shows it (for the registers every kernel lists only with their feature).
         * Real 6.12 -> 6.18/7.3 on a host with FEAT_SCTLR2 failed so.
         */
        private boolean hiddenByListsAlone(int[] matchFor) {
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < local.length(); i++) {
                RegId id = RegId.of(local.id(i));
                java.util.Optional<dev.regshim.regs.fields.IdGate> g = KvmVisibility.gate(id);
                if (matchFor[i] >= 0 || g.isEmpty() || !KvmVisibility.listingShowsFeature(id)
                        || in.indexOf(g.get().field().id().value()) < 0) {
                    continue;
                }
                out.note(RegCatalog.get().name(id) + ": the stream does not carry it, and the source's "
                        + g.get().field() + " (written from the stream) then lacks the feature, so KVM hides it and QEMU"
                        + " cannot put the value it keeps (inferred from the register lists)");
                lines.add(QemuMessages.couldNotSetUnknown(QemuMessages.name111(id, s.accel())));
            }
            if (lines.isEmpty()) {
                return false;
            }
            kvmRefused(lines);
            return true;
        }

        /** Incoming registers the stock merge copied before it failed on an unknown one (their values reach KVM). */
        private long firstUnexpectedId = -1;

        /**
         * Stock QEMU from 10.0 puts the vCPU registers into KVM even after a failed load (7.2 does not): when the merge
         * failed on an unknown register, the values it had already copied (registers sorting before that one) are
         * put, and if KVM refuses one of them QEMU exits at that put instead of printing its last line.
         */
        private void putAfterFailedMerge() {
            if (s.accel() == Accel.KVM && s.semantics() == Semantics.QEMU_11_1
                    && out.failure() == FailureKind.UNKNOWN_REGISTER) {
                putAfterFailedMerge111();
                return;
            }
            if (s.accel() != Accel.KVM || s.semantics() != Semantics.QEMU_STOCK || !putsAfterFailedLoad()
                    || out.failure() != FailureKind.UNKNOWN_REGISTER || firstUnexpectedId == -1) {
                return;
            }
            for (ValueConflict c : out.conflictsSoFar()) {
                if (c.fromStream() && Long.compareUnsigned(c.id().value(), firstUnexpectedId) < 0) {
                    out.replaceFailureLines(QemuMessages.kvmPutFailed(instance, QemuMessages.EINVAL).toArray(new String[0]));
                    return;
                }
            }
        }

        /**
         * 11.1 merges every register before failing; a failed merge skips the post_load's own write to KVM, but the
         * put after the failed load writes the merged values, naming each KVM refuses (once), and QEMU exits there:
         * its chained last line is never printed. Observed on real 7.3 -> 6.18 and (without the tolerated register
         * after the unknown ones) 7.3 -> 6.12 loads.
         */
        private void putAfterFailedMerge111() {
            List<String> refused = new ArrayList<>();
            for (ValueConflict c : out.conflictsSoFar()) {
                if (c.fromStream()) {
                    refused.add(QemuMessages.couldNotSet(QemuMessages.name111(c.id(), s.accel()), c.incoming(),
                            c.destination()));
                }
            }
            if (refused.isEmpty()) {
                return;
            }
            List<String> lines = new ArrayList<>(out.linesSoFar());
            lines.subList(Math.max(0, lines.size() - postLoadFailed().length), lines.size()).clear();
            lines.addAll(refused);
            lines.add(QemuMessages.putAfterInitFailed(QemuMessages.EINVAL));
            out.replaceFailureLines(lines.toArray(new String[0]));
        }

        /** Whether the release puts the registers after a failed load: 10.0 observed doing so, 7.2 not; unknown: yes. */
        private boolean putsAfterFailedLoad() {
            QemuRelease r = s.release();
            return r == null || r.modelledAs().atLeast(QemuRelease.V10_0);
        }

        /**
         * KVM refuses values, as seen on real KVM: QEMU 7.2-11.0 name no register (the cpu post_load fails, then
         * putting the registers into KVM fails and QEMU exits); QEMU 11.1 names each refused value in the post_load,
         * carries on loading, names them again when it puts the registers after init, and exits.
         */
        private void kvmRefused(List<String> couldNotSet) {
            if (QemuMessages.Dialect.of(s.semantics()) == QemuMessages.Dialect.SEPARATE_LINES) {
                // the post_load's own write fails; from 10.0 the put after the failed load fails again and QEMU exits
                out.fail(FailureKind.VALUE_REJECTED, putsAfterFailedLoad()
                        ? QemuMessages.kvmPutFailed(instance, QemuMessages.EINVAL).toArray(new String[0])
                        : postLoadFailed());
                return;
            }
            couldNotSet.forEach(out::line);
            out.putRefused(couldNotSet);
        }
    }
}
