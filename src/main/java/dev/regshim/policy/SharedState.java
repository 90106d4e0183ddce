package dev.regshim.policy;

import dev.regshim.regs.CpregArray;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;
import dev.regshim.regs.WellKnownRegs;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Register IDs that are two views of one piece of vCPU state: the architecture maps an AArch32 register onto (the low
 * bits of) an AArch64 or 64-bit register, and QEMU keeps both views in one field, so a stream carries the same state
 * twice. Dropping one view loses nothing as long as the other is migrated and the two values agree in the shared bits.
 * Only the Non-secure views; every pair was seen in real QEMU 7.2 and 10.0 streams, where QEMU 10.0 stopped listing
 * the first view of each (the 32-bit PAR; DACR32_EL2 and IFSR32_EL2 without EL2).
 */
final class SharedState {

    /** {@code view} holds {@code carrier}'s value masked to {@code mask}. */
    record Pair(RegId view, RegId carrier, long mask) {
    }

    private static final long LOW32 = 0xffff_ffffL;

    /** AArch32 PAR (32-bit form): PAR[31:0], the 64-bit PAR and PAR_EL1 are one register. */
    static final RegId PAR32 = WellKnownRegs.PAR32;
    static final RegId PAR64 = WellKnownRegs.PAR64;
    static final RegId PAR_EL1 = WellKnownRegs.PAR_EL1;
    /** DACR32_EL2 holds the AArch32 DACR; IFSR32_EL2 the AArch32 IFSR. */
    static final RegId DACR = WellKnownRegs.DACR;
    static final RegId DACR32_EL2 = WellKnownRegs.DACR32_EL2;
    static final RegId IFSR = WellKnownRegs.IFSR;
    static final RegId IFSR32_EL2 = WellKnownRegs.IFSR32_EL2;

    static final List<Pair> PAIRS = List.of(
            new Pair(PAR32, PAR64, LOW32),
            new Pair(PAR32, PAR_EL1, LOW32),
            new Pair(DACR32_EL2, DACR, LOW32),
            new Pair(DACR, DACR32_EL2, LOW32),
            new Pair(IFSR32_EL2, IFSR, LOW32),
            new Pair(IFSR, IFSR32_EL2, LOW32));

    private SharedState() {
    }

    /**
     * Why dropping {@code id} (value {@code v}) loses nothing: another view of its state is in the source with an
     * agreeing value and will be migrated (the destination lists it and it is not hidden). Empty otherwise.
     */
    static Optional<String> carriedBy(RegId id, long v, CpregArray src, CpregArray dst, CpregRewritePlanner.Options o) {
        for (Pair p : PAIRS) {
            if (!p.view().equals(id)) {
                continue;
            }
            OptionalLong carrier = src.valueOf(p.carrier());
            if (carrier.isEmpty() || dst.indexOf(p.carrier().value()) < 0 || o.hide().contains(p.carrier())) {
                continue;
            }
            if ((v & p.mask()) == (carrier.getAsLong() & p.mask()) && (v & ~p.mask()) == 0) {
                return Optional.of("the same state migrates as " + RegCatalog.get().name(p.carrier())
                        + " (value " + CpregRewritePlanner.hex(carrier.getAsLong()) + ", which agrees)");
            }
        }
        return Optional.empty();
    }
}
