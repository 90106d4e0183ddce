package dev.regshim.check;

import dev.regshim.cpreg.LoadSettings;

import java.util.List;

/**
 * The predicted outcome of loading a source's state on a destination.
 *
 * @param qemuLines the lines the destination QEMU prints, in order, without the program prefix
 * @param firstError the first of those lines that is an error (not a warning), or null when it loads
 */
/**
 * @param qemuExitStatus    0 when it loads, 1 when QEMU fails, 134 when it aborts
 * @param unknownSubsection the subsection the destination's release does not know that ends the load, or null
 */
public record CheckResult(boolean loads, Stage stage, List<String> qemuLines, String firstError,
                          List<VcpuCheck> vcpus, List<Fix> fixes, List<String> notes, LoadSettings settings,
                          int qemuExitStatus, String unknownSubsection) {

    /** Conditions on values the model could not see under which the load succeeds (e.g. BMAP_2 == 0 under 11.1). */
    public List<String> conditions() {
        return vcpus.stream().flatMap(v -> v.outcome().conditions().stream()).distinct().collect(java.util.stream.Collectors.toList());
    }
}
