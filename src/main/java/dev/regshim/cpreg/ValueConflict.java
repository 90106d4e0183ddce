package dev.regshim.cpreg;

import dev.regshim.regs.RegId;

/**
 * A register whose value the destination will not take: under TCG a constant register whose incoming (or, when
 * missing from the stream, zero) value differs from the destination's own; under KVM a value
 * {@code KVM_SET_ONE_REG} rejects.
 *
 * @param fromStream false when the register was missing from the stream and QEMU wrote its stale buffer value
 */
public record ValueConflict(RegId id, long incoming, long destination, boolean fromStream, String reason) {
}
