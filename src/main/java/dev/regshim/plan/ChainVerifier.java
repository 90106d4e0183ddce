package dev.regshim.plan;

import dev.regshim.check.CheckResult;
import dev.regshim.check.MigrationCheck;
import dev.regshim.check.VcpuCheck;
import dev.regshim.cpreg.CpuLoadModel;
import dev.regshim.cpreg.KvmValueRule;
import dev.regshim.cpreg.LoadSettings;
import dev.regshim.cpreg.RegIssue;
import dev.regshim.cpreg.Semantics;
import dev.regshim.cpreg.Tolerance;
import dev.regshim.profile.Profile;
import dev.regshim.profile.Provenance;
import dev.regshim.regs.CpregArray;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegSet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Verifies every path A → B → C of distinct consecutive host classes with the model, the second hop's stream
 * derived from the VM's state after the first: B's cpreg list (less hidden registers) with the values that came from
 * A where both know a register and B's own values elsewhere. It also follows each differing register's value along the
 * path: dropped at B and re-created by C from C's reset value, or tested against a value condition with either the
 * VM's original value or a reset value picked up at B.
 *
 * <p>A derived state that equals what B sends for a VM started on B (always so for ID-only kernel profiles) reuses
 * the pairwise result of B → C: the model is a pure function of what is sent and the destination. So chains of a fleet
 * of k classes cost at most k² extra model runs, plus bit operations per path.
 */
final class ChainVerifier {

    /** Beyond this many paths the chains are not enumerated (about 170 classes). */
    static final long MAX_PATHS = 5_000_000L;
    private static final int PAIRWISE = -1;
    private static final int BLOCKED = -2;
    /** KVM reset values regshim knows, for discharging value conditions. */
    private static final Map<RegId, Long> RESET_VALUES = Map.of(RegisterClassifier.BMAP_2, RegisterClassifier.BMAP_2_RESET,
            RegisterClassifier.PMMIR_EL1, RegisterClassifier.PMMIR_RESET);

    private final List<HostClass> classes;
    private final Matrix after;
    private final LoadSettings s;
    private final KvmValueRule rule;
    private final Map<RegId, PlanEntry> entries;

    private final List<List<Profile.Vcpu>> stateVcpus = new ArrayList<>();
    private final List<Integer> stateHost = new ArrayList<>();
    private final Map<Integer, CheckResult[]> stateResults = new HashMap<>();
    private final Map<CheckResult, int[]> conditionalCache = new IdentityHashMap<>();
    private int modelRuns;

    ChainVerifier(List<HostClass> classes, Matrix after, LoadSettings s, KvmValueRule rule, Map<RegId, PlanEntry> entries) {
        this.classes = classes;
        this.after = after;
        this.s = s;
        this.rule = rule;
        this.entries = entries;
    }

    ChainReport verify() {
        int k = classes.size();
        long paths = (long) k * (k - 1) * (k - 1);
        if (paths > MAX_PATHS) {
            return new ChainReport(false, paths, 0, 0, 0, 0, 0, 0, List.of(), List.of());
        }
        RegSet union = RegSet.empty();
        RegSet common = null;
        for (HostClass c : classes) {
            union = union.union(c.regs());
            common = common == null ? c.regs() : common.intersect(c.regs());
        }
        RegSet tracked = common == null ? RegSet.empty() : union.minus(common);
        if (s.hidingActive()) {
            tracked = tracked.minus(s.hidden());
        }
        long[][] listed = new long[k][];
        for (int c = 0; c < k; c++) {
            listed[c] = bits(tracked, classes.get(c).regs());
        }
        int[][] stateOf = firstHops(k);
        Map<Long, long[]> agg = new TreeMap<>();   // (register, kind) -> {count, a, b, c}
        List<ChainReport.Failure> failures = new ArrayList<>();
        long loading = 0, blocked = 0, chainOnly = 0;
        int reused = 0;
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                if (a == b) {
                    continue;
                }
                int st = stateOf[a][b];
                if (st == BLOCKED) {
                    blocked += k - 1;
                    continue;
                }
                if (st == PAIRWISE) {
                    reused++;
                }
                for (int c = 0; c < k; c++) {
                    if (c == b) {
                        continue;
                    }
                    CheckResult pair = after.cell(b, c).result();
                    CheckResult hop2 = st == PAIRWISE ? pair : stateResult(st, c);
                    if (!hop2.loads()) {
                        if (pair.loads()) {
                            chainOnly++;
                            if (failures.size() < 20) {
                                failures.add(new ChainReport.Failure(List.of(a, b, c), 2, hop2.firstError()));
                            }
                        } else {
                            blocked++;
                        }
                        continue;
                    }
                    loading++;
                    lineage(tracked, listed, a, b, c, hop2, agg);
                }
            }
        }
        return new ChainReport(true, paths, loading, blocked, chainOnly, stateVcpus.size(), modelRuns, reused,
                events(tracked, agg), failures);
    }

    /** For each first hop: the interned VM state after it, PAIRWISE when it is what B sends anyway, or BLOCKED. */
    private int[][] firstHops(int k) {
        int[][] stateOf = new int[k][k];
        Map<StateKey, Integer> intern = new HashMap<>();
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                if (a == b) {
                    continue;
                }
                CheckResult r = after.cell(a, b).result();
                if (!r.loads()) {
                    stateOf[a][b] = BLOCKED;
                    continue;
                }
                List<Profile.Vcpu> state = derive(r);
                if (state.equals(sends(classes.get(b).profile()))) {
                    stateOf[a][b] = PAIRWISE;
                    continue;
                }
                int b0 = b;
                stateOf[a][b] = intern.computeIfAbsent(new StateKey(b, state), key -> {
                    stateVcpus.add(state);
                    stateHost.add(b0);
                    return stateVcpus.size() - 1;
                });
            }
        }
        return stateOf;
    }

    private record StateKey(int host, List<Profile.Vcpu> vcpus) {
    }

    /** The VM on B after the load: B's list (less hidden), values from the stream where matched, B's own elsewhere. */
    private List<Profile.Vcpu> derive(CheckResult r) {
        List<Profile.Vcpu> out = new ArrayList<>();
        for (VcpuCheck v : r.vcpus()) {
            CpregArray local = s.hidingActive() ? v.destination().without(s.hidden()) : v.destination();
            CpregArray sent = v.sent();
            long[] ids = local.ids();
            long[] values = null;
            if (local.hasValues() && sent.hasValues()) {
                Map<Long, Long> incoming = new HashMap<>();
                for (int i = 0; i < sent.length(); i++) {
                    incoming.put(sent.id(i), sent.value(i));
                }
                values = new long[ids.length];
                for (int i = 0; i < ids.length; i++) {
                    values[i] = incoming.getOrDefault(ids[i], local.value(i));
                }
            }
            out.add(new Profile.Vcpu(v.instance(), CpregArray.of(ids, values)));
        }
        return out;
    }

    /** What a VM started on this class sends, vCPU by vCPU, as the pairwise check computes it. */
    private List<Profile.Vcpu> sends(Profile p) {
        List<Profile.Vcpu> out = new ArrayList<>();
        for (Profile.Vcpu v : p.vcpus()) {
            out.add(new Profile.Vcpu(v.instance(), p.asSent() ? v.cpregs() : CpuLoadModel.sourceSends(v.cpregs(), s)));
        }
        return out;
    }

    private CheckResult stateResult(int st, int c) {
        CheckResult[] row = stateResults.computeIfAbsent(st, x -> new CheckResult[classes.size()]);
        if (row[c] == null) {
            Profile b = classes.get(stateHost.get(st)).profile();
            Profile state = new Profile(Provenance.of("chain state", "VM state on " + classes.get(stateHost.get(st)).label()),
                    b.machineType(), b.pageSize(), b.ramBlocks(), b.sections(), stateVcpus.get(st), true, false);
            row[c] = MigrationCheck.run(state, classes.get(c).profile(), s,
                    rule != null ? rule : classes.get(c).profile().kvmValueRule());
            modelRuns++;
        }
        return row[c];
    }

    private static long[] bits(RegSet tracked, RegSet regs) {
        long[] w = new long[(tracked.size() + Long.SIZE - 1) / Long.SIZE];
        for (int t = 0; t < tracked.size(); t++) {
            if (regs.contains(tracked.get(t))) {
                w[t / Long.SIZE] |= 1L << (t % Long.SIZE);
            }
        }
        return w;
    }

    private static boolean bit(long[] w, int t) {
        return (w[t / Long.SIZE] & (1L << (t % Long.SIZE))) != 0;
    }

    private void lineage(RegSet tracked, long[][] listed, int a, int b, int c, CheckResult hop2, Map<Long, long[]> agg) {
        long[] la = listed[a], lb = listed[b], lc = listed[c];
        for (int w = 0; w < la.length; w++) {
            long dropped = la[w] & ~lb[w] & lc[w];
            while (dropped != 0) {
                int t = w * Long.SIZE + Long.numberOfTrailingZeros(dropped);
                dropped &= dropped - 1;
                count(agg, t, ChainReport.Kind.DROPPED_THEN_RESET, a, b, c);
            }
        }
        for (int t : conditional(tracked, hop2)) {
            boolean original = bit(la, t);
            RegId id = tracked.get(t);
            Tolerance tol = Tolerance.find(id, s.accel());
            Long reset = RESET_VALUES.get(id);
            boolean discharged = !original && reset != null && tol != null && (reset & tol.mask()) == tol.value();
            count(agg, t, discharged ? ChainReport.Kind.CONDITION_DISCHARGED : ChainReport.Kind.CONDITION_ON_ORIGINAL, a, b, c);
        }
    }

    /** Tracked registers a hop tolerates only under a value condition (11.1's OnlySrcTestValue on an unknown value). */
    private int[] conditional(RegSet tracked, CheckResult r) {
        return conditionalCache.computeIfAbsent(r, x -> {
            if (s.semantics() != Semantics.QEMU_11_1) {
                return new int[0];
            }
            List<Integer> out = new ArrayList<>();
            for (VcpuCheck v : x.vcpus()) {
                for (RegIssue i : v.outcome().tolerated()) {
                    Tolerance t = Tolerance.find(i.id(), s.accel());
                    int idx = tracked.asList().indexOf(i.id());
                    if (t != null && t.type() == Tolerance.Type.ONLY_SRC_TEST_VALUE && i.value().isEmpty() && idx >= 0
                            && !out.contains(idx)) {
                        out.add(idx);
                    }
                }
            }
            return out.stream().mapToInt(Integer::intValue).toArray();
        });
    }

    private static void count(Map<Long, long[]> agg, int t, ChainReport.Kind kind, int a, int b, int c) {
        long[] v = agg.computeIfAbsent((long) t * ChainReport.Kind.values().length + kind.ordinal(),
                x -> new long[]{0, a, b, c});
        v[0]++;
    }

    private List<ChainReport.Event> events(RegSet tracked, Map<Long, long[]> agg) {
        List<ChainReport.Event> out = new ArrayList<>();
        int kinds = ChainReport.Kind.values().length;
        for (Map.Entry<Long, long[]> e : agg.entrySet()) {
            int t = (int) (e.getKey() / kinds);
            ChainReport.Kind kind = ChainReport.Kind.values()[(int) (e.getKey() % kinds)];
            long[] v = e.getValue();
            RegId id = tracked.get(t);
            PlanEntry entry = entries.get(id);
            Safety safety = entry == null ? Safety.UNSAFE : entry.safety();
            String a = classes.get((int) v[1]).label(), b = classes.get((int) v[2]).label(), c = classes.get((int) v[3]).label();
            String name = RegCatalog.get().name(id);
            String text;
            switch (kind) {
                case DROPPED_THEN_RESET:
                    text = name + ": " + b + " does not list it, so the value the guest had on " + a + " is dropped there and "
                            + c + " re-creates it with its reset value (" + safety.label()
                            + (entry == null ? "" : ": " + entry.classification().reason()) + ")";
                    break;
                case CONDITION_DISCHARGED:
                    text = name + ": " + b + " -> " + c + " loads only while " + entry.condition() + "; the VM's value came from "
                            + b + "'s reset value (" + a + " does not list it), which meets it";
                    break;
                default:
                    text = name + ": " + b + " -> " + c + " loads only while " + (entry == null ? "its condition holds" : entry.condition())
                            + "; the value is the one the VM has carried since " + a;
                    break;
            }
            out.add(new ChainReport.Event(id, kind, v[0], List.of((int) v[1], (int) v[2], (int) v[3]), safety, text));
        }
        return out;
    }
}
