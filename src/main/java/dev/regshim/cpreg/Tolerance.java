package dev.regshim.cpreg;

import dev.regshim.regs.RegId;
import dev.regshim.regs.WellKnownRegs;

import java.util.List;

/**
 * QEMU 11.1's hard-coded cpreg migration tolerances. Under KVM ({@code -cpu host}, which {@code max} is under KVM):
 * TCR2_EL1, PIRE0_EL1 and PIR_EL1 may be present on one end only (kernel v6.13 hides them when the feature is
 * absent); KVM_REG_ARM_VENDOR_HYP_BMAP_2 may come from a source whose destination lacks it only while its value is 0
 * (no vendor hypercall service exposed; kernel v6.15 added it). Under TCG: the bogus AArch32 DBGDTRTX view that
 * QEMU 10.0 and earlier listed.
 */
public record Tolerance(RegId id, Type type, long mask, long value, Accel accel) {

    public enum Type {
        /** The register may be on one end only, in either direction. */
        NOT_ON_BOTH_ENDS,
        /** The register may be only in the incoming stream if {@code (incoming & mask) == value}. */
        ONLY_SRC_TEST_VALUE
    }

    public static final List<Tolerance> QEMU_11_1 = List.of(
            new Tolerance(WellKnownRegs.TCR2_EL1, Type.NOT_ON_BOTH_ENDS, 0, 0, Accel.KVM),
            new Tolerance(WellKnownRegs.PIRE0_EL1, Type.NOT_ON_BOTH_ENDS, 0, 0, Accel.KVM),
            new Tolerance(WellKnownRegs.PIR_EL1, Type.NOT_ON_BOTH_ENDS, 0, 0, Accel.KVM),
            new Tolerance(WellKnownRegs.VENDOR_HYP_BMAP_2, Type.ONLY_SRC_TEST_VALUE, -1L, 0, Accel.KVM),
            new Tolerance(WellKnownRegs.DBGDTRTX, Type.NOT_ON_BOTH_ENDS, 0, 0, Accel.TCG));

    public static Tolerance find(RegId id, Accel accel) {
        for (Tolerance t : QEMU_11_1) {
            if (t.id.equals(id) && t.accel == accel) {
                return t;
            }
        }
        return null;
    }

    /** Whether an incoming-only register with this value is tolerated. */
    public boolean accepts(long incoming, boolean valueKnown) {
        if (type == Type.NOT_ON_BOTH_ENDS) {
            return true;
        }
        return valueKnown && (incoming & mask) == value;
    }

    public String describe() {
        return type == Type.NOT_ON_BOTH_ENDS ? "NotOnBothEnds"
                : String.format("OnlySrcTestValue(value & 0x%x == 0x%x)", mask, value);
    }
}
