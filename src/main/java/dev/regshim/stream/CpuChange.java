package dev.regshim.stream;

import dev.regshim.regs.RegSet;

/**
 * What a transform did to one cpu section.
 *
 * @param instanceId    the vCPU
 * @param before        cpreg count before
 * @param after         cpreg count after
 * @param removed       IDs dropped
 * @param added         IDs added
 * @param valuesChanged IDs present before and after whose value changed
 */
public record CpuChange(int instanceId, int before, int after, RegSet removed, RegSet added, RegSet valuesChanged) {

    public boolean isNoop() {
        return removed.isEmpty() && added.isEmpty() && valuesChanged.isEmpty();
    }

    static CpuChange between(CpuSection a, CpuSection b) {
        RegSet ra = a.regSet();
        RegSet rb = b.regSet();
        long[] changed = ra.intersect(rb).longs()
                .filter(id -> !a.valueOf(id).equals(b.valueOf(id)))
                .toArray();
        return new CpuChange(a.instanceId(), a.cpregCount(), b.cpregCount(), ra.minus(rb), rb.minus(ra),
                RegSet.of(changed));
    }
}
