package dev.regshim.cpreg;

import dev.regshim.regs.RegClass;
import dev.regshim.regs.RegId;

/**
 * Registers QEMU's TCG CPU models define as constants ({@code ARM_CP_CONST} and friends): a raw write is ignored,
 * so the read-back check in {@code write_list_to_cpustate} fails whenever the incoming value differs from the
 * destination's own. Established by probing real QEMU 7.2 one register at a time (every rejected value was one of
 * these): the ID register space, cache/type IDs, L2 control IDs, PMU event-ID registers and debug IDs; and the reset
 * management registers (RMR_ELx, RMR, HRMR), found missing-and-non-zero by the QEMU 11.1 random fidelity sample.
 */
public final class TcgConstRegisters {

    private static final int CP14 = 14;
    private static final int CP15 = 15;

    private TcgConstRegisters() {
    }

    public static boolean isConst(RegId id) {
        RegClass c = id.regClass();
        if (c == RegClass.SYSREG) {
            return aarch64(id);
        }
        if (c == RegClass.AARCH32_CP32) {
            return aarch32(id);
        }
        if (c == RegClass.AARCH32_CP64) {
            return id.cpNum() == CP14; // DBGDRAR / DBGDSAR 64-bit views
        }
        return false;
    }

    /**
     * The part of the constants a guest reads to discover features: the AArch64 ID space (op0 3, CRn 0), CTR_EL0,
     * DCZID_EL0 and the AArch32 CP15 CRn 0 / CP14 debug IDs. Unallocated encodings there read as zero, so a register
     * one CPU model does not list was seen as 0 by its guest; other constants (reset management, L2 control, PMU
     * event IDs) may simply not exist on that CPU.
     */
    public static boolean isFeatureId(RegId id) {
        RegClass c = id.regClass();
        if (c == RegClass.SYSREG) {
            int op1 = id.op1();
            return id.op0() == 3 && id.crn() == 0 && (op1 == 0 || op1 == 1 || op1 == 3);
        }
        if (c == RegClass.AARCH32_CP32) {
            return (id.cpNum() == CP15 && id.cpCrn() == 0) || (id.cpNum() == CP14 && aarch32(id));
        }
        return c == RegClass.AARCH32_CP64 && id.cpNum() == CP14;
    }

    private static boolean aarch64(RegId id) {
        int op0 = id.op0(), op1 = id.op1(), crn = id.crn(), crm = id.crm(), op2 = id.op2();
        if (op0 == 3 && crn == 0 && (op1 == 0 || op1 == 1)) {
            return true; // feature ID space, CLIDR, CCSIDR2, AIDR
        }
        if (op0 == 3 && op1 == 3 && crn == 0 && crm == 0 && (op2 == 1 || op2 == 7)) {
            return true; // CTR_EL0, DCZID_EL0
        }
        if (op0 == 3 && op1 == 1 && crn == 11 && crm == 0 && (op2 == 2 || op2 == 3)) {
            return true; // L2CTLR_EL1, L2ECTLR_EL1 (Cortex-A implementation defined)
        }
        if (op0 == 3 && crn == 12 && crm == 0 && op2 == 2 && (op1 == 0 || op1 == 4 || op1 == 6)) {
            return true; // RMR_EL1/EL2/EL3 (reset 1: AArch64); found by the QEMU 11.1 random fidelity sample
        }
        return op0 == 3 && op1 == 3 && crn == 9 && crm == 12 && (op2 == 6 || op2 == 7); // PMCEID0/1_EL0
    }

    private static boolean aarch32(RegId id) {
        int cp = id.cpNum(), crn = id.cpCrn(), opc1 = id.cpOpc1(), crm = id.cpCrm(), opc2 = id.cpOpc2();
        if (cp == CP15) {
            if (crn == 0) {
                return true;
            }
            if (crn == 9 && opc1 == 1 && crm == 0 && (opc2 == 2 || opc2 == 3)) {
                return true;
            }
            if (crn == 12 && crm == 0 && opc2 == 2 && (opc1 == 0 || opc1 == 4)) {
                return true; // RMR, HRMR
            }
            return crn == 9 && opc1 == 0 && crm == 12 && (opc2 == 6 || opc2 == 7);
        }
        if (cp == CP14) {
            if (crn == 0 && opc1 == 0 && crm == 0 && opc2 == 0) {
                return true; // DBGDIDR
            }
            if (crn == 7 && opc1 == 0 && crm == 0 && opc2 <= 2) {
                // QEMU's own encodings of DBGDEVID2/1/0 (opc2 0/1/2, CRm 0): what its cpreg lists carry
                return true;
            }
            return crn == 7 && opc1 == 0 && crm <= 2 && opc2 == 7; // DBGDEVID, DBGDEVID1, DBGDEVID2 (architectural)
        }
        return false;
    }
}
