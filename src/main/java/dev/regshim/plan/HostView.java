package dev.regshim.plan;

import dev.regshim.regs.RegSet;

/**
 * What the planned lists do on one host class. The lists are the same everywhere (they belong to the machine type
 * and follow the VM), but their effect depends on what the host's kernel lists.
 *
 * @param hiddenHere   hidden registers this class lists: removed from its cpreg list, never sent
 * @param fakedHere    fake / safe-missing registers this class lacks: accepted from a stream and dropped
 * @param exposedHere  fake / safe-missing registers this class lists: migrated normally (v1: "already exposed by
 *                     KVM: nothing to do")
 * @param sends        how many registers a vCPU sends from here (template vCPU / vCPU 0)
 */
public record HostView(int classIndex, RegSet hiddenHere, RegSet fakedHere, RegSet exposedHere, int sends) {
}
