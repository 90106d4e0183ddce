package dev.regshim.cpreg;

import dev.regshim.util.Tsv;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a kernel's {@code KVM_SET_ONE_REG} judges one ID-register field differently from the v6.18 cpufeature
 * tables the field rules come from: the rows of {@code kvm-regs/id-write-deltas.tsv}, each observed on real kernels.
 */
final class KvmFieldDeltas {

    static final String RESOURCE = "/dev/regshim/data/kvm-regs/id-write-deltas.tsv";

    /** What the kernel does with the field from its release on. */
    enum Behaviour {
        /** Hidden from the vCPU; a written value equal to the hardware's own is dropped, any other refused. */
        IGNORED_IF_HARDWARE,
        /** A cpufeature entry exists: a value not above the destination's is accepted. */
        LOWER_SAFE
    }

    record Delta(int[] since, String register, String field, Behaviour behaviour) {
        boolean appliesTo(int[] release) {
            return release[0] > since[0] || (release[0] == since[0] && release[1] >= since[1]);
        }
    }

    private static final List<Delta> DELTAS = load();

    private KvmFieldDeltas() {
    }

    /** The delta for a field that applies to a kernel release ({major, minor}), if any. */
    static Optional<Delta> find(int[] release, String register, String field) {
        return DELTAS.stream()
                .filter(d -> d.register().equals(register) && d.field().equals(field) && d.appliesTo(release))
                .findFirst();
    }

    private static List<Delta> load() {
        return Tsv.readResource(RESOURCE).stream().map(KvmFieldDeltas::row).toList();
    }

    private static Delta row(Map<String, String> r) {
        String[] since = r.get("since").split("\\.");
        return new Delta(new int[]{Integer.parseInt(since[0]), Integer.parseInt(since[1])}, r.get("register"),
                r.get("field"), Behaviour.valueOf(r.get("behaviour")));
    }
}
