package dev.regshim.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Replaces the cpreg arrays of cpu sections as a {@link StreamTransformer.CpuSectionHandler} asks, and keeps the vmdesc
 * trailer in step: an array whose length changes must be described by a new {@code array_len}, or the trailer no
 * longer describes the stream. The one place that does both, for the transformer and for whoever predicts what it
 * writes. Apply it to the sections in stream order, then to the trailer.
 */
public final class CpregEdits {

    private final StreamTransformer.CpuSectionHandler handler;
    private final StreamLimits limits;
    private final Map<Integer, CpuChange> changes = new TreeMap<>();
    /** (instance, new length) of each replaced array whose length changed, in section order. */
    private final List<int[]> newLengths = new ArrayList<>();

    public CpregEdits(StreamTransformer.CpuSectionHandler handler, StreamLimits limits) {
        this.handler = handler;
        this.limits = limits;
    }

    /** The section with the arrays the handler asks for; the section itself when it is not a cpu or is kept. */
    public DeviceSection apply(DeviceSection s) {
        CpuSection cpu = s.cpu();
        if (cpu == null) {
            return s;
        }
        CpregReplacement r = handler.onCpuSection(cpu);
        if (r == null || r.isUnchanged()) {
            return s;
        }
        CpuSection replaced = cpu.withCpregs(r.cpregs(), limits);
        changes.put(cpu.instanceId(), CpuChange.between(cpu, replaced));
        if (replaced.cpregCount() != cpu.cpregCount()) {
            newLengths.add(new int[]{cpu.instanceId(), replaced.cpregCount()});
        }
        return s.withCpu(replaced);
    }

    /** The trailer with the array_len of every array whose length changed; the trailer itself when none did. */
    public Vmdesc apply(Vmdesc v) {
        Vmdesc out = v;
        for (int[] c : newLengths) {
            out = out.withCpregCount(c[0], c[1]);
        }
        return out;
    }

    /** One entry per cpu section the handler replaced (even if the result equals the input), by instance. */
    public List<CpuChange> changes() {
        return new ArrayList<>(changes.values());
    }
}
