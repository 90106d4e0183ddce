package dev.regshim.regs.fields;

import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Registers KVM lets a VM reach only while the VM's ID registers show their feature: once an ID register value without
 * the feature is written (QEMU writes the stream's), {@code KVM_SET_ONE_REG} on the register fails with ENOENT, although
 * {@code KVM_GET_REG_LIST} listed it when the vCPU was created. Seen on real 6.18 and 7.3 hosts with FEAT_SCTLR2
 * (SCTLR2_EL1 behind ID_AA64MMFR3_EL1.SCTLRX); the other gates are the same visibility checks on the same fields
 * (the host features of {@code kernel.KernelFeature} whose registers KVM lists only with the feature).
 */
public final class KvmVisibility {

    private static final Map<RegId, IdGate> GATES = new LinkedHashMap<>();

    /**
     * Registers every kernel has listed only with their feature, from the first that listed them (SCTLR2_EL1 from
     * 6.17, POR_EL0/POR_EL1 and FPMR from 6.12): a list that has one shows the feature. Not TCR2_EL1, PIRE0_EL1 and
     * PIR_EL1, which 6.5 to 6.12 listed whatever the host.
     */
    private static final java.util.Set<RegId> LISTED_ONLY_WITH_FEATURE = new java.util.HashSet<>();

    static {
        gate("TCR2_EL1", IdGate.TCRX, false);
        gate("SCTLR2_EL1", IdGate.SCTLRX, true);
        gate("PIRE0_EL1", IdGate.S1PIE, false);
        gate("PIR_EL1", IdGate.S1PIE, false);
        gate("POR_EL0", IdGate.S1POE, true);
        gate("POR_EL1", IdGate.S1POE, true);
        gate("FPMR", IdGate.FPMR, true);
    }

    private KvmVisibility() {
    }

    private static void gate(String register, IdGate gate, boolean listedOnlyWithFeature) {
        for (RegId id : RegCatalog.get().lookup(register)) {
            GATES.put(id, gate);
            if (listedOnlyWithFeature) {
                LISTED_ONLY_WITH_FEATURE.add(id);
            }
        }
    }

    /** Whether a KVM register list that has {@code id} shows its feature (see {@link #gate}). */
    public static boolean listingShowsFeature(RegId id) {
        return LISTED_ONLY_WITH_FEATURE.contains(id);
    }

    /** The gate of a register KVM hides without its feature, if it is one. */
    public static Optional<IdGate> gate(RegId id) {
        return Optional.ofNullable(GATES.get(id));
    }
}
