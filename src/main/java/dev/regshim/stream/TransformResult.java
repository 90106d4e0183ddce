package dev.regshim.stream;

import java.util.List;

/**
 * Summary of a {@link StreamTransformer} run.
 *
 * @param bytesIn        input stream length
 * @param bytesOut       output stream length
 * @param dataPages      RAM PAGE records passed through
 * @param zeroPages      RAM ZERO records passed through
 * @param sections       START/PART/END/FULL sections
 * @param cpuSections    cpu sections offered to the handler
 * @param changes        one entry per cpu section the handler replaced (even if the result equals the input)
 * @param vmdescPresent  whether the stream had a trailer
 * @param vmdescUpdated  whether the trailer was rewritten (a cpreg count changed)
 * @param packagedBytes  PACKAGED payload bytes passed through undecoded (cpu state in them is not offered)
 */
public record TransformResult(long bytesIn, long bytesOut, long dataPages, long zeroPages, int sections,
                              int cpuSections, List<CpuChange> changes, boolean vmdescPresent, boolean vmdescUpdated,
                              long packagedBytes) {

    public TransformResult {
        changes = List.copyOf(changes);
    }

    /** True when the output is byte-identical in content to the input (no replacement changed anything). */
    public boolean unchanged() {
        return changes.stream().allMatch(CpuChange::isNoop) && !vmdescUpdated;
    }
}
