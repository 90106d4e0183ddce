package dev.regshim.regs;

import java.util.HashMap;
import java.util.Map;

/**
 * Architectural names of the AArch32 cp14/cp15 registers that QEMU under TCG puts into its cpreg list.
 * Keyed by (cp, CRn, opc1, CRm, opc2) for 32-bit registers and (cp, opc1, CRm) for 64-bit ones; the NS bank bit is
 * not part of the key (the Secure copy of a banked register is shown with an {@code _S} suffix).
 */
final class Aarch32Names {

    private static final Map<Integer, String> NAMES32 = new HashMap<>();
    private static final Map<Integer, String> NAMES64 = new HashMap<>();

    private Aarch32Names() {
    }

    static int key32(int cp, int crn, int opc1, int crm, int opc2) {
        return cp << 16 | crn << 12 | opc1 << 8 | crm << 4 | opc2;
    }

    static int key64(int cp, int opc1, int crm) {
        return cp << 8 | opc1 << 4 | crm;
    }

    private static void p15(String name, int crn, int opc1, int crm, int opc2) {
        NAMES32.put(key32(15, crn, opc1, crm, opc2), name);
    }

    private static void p14(String name, int crn, int opc1, int crm, int opc2) {
        NAMES32.put(key32(14, crn, opc1, crm, opc2), name);
    }

    private static void p15x64(String name, int opc1, int crm) {
        NAMES64.put(key64(15, opc1, crm), name);
    }

    static {
        // c0: identification
        p15("MIDR", 0, 0, 0, 0);
        p15("CTR", 0, 0, 0, 1);
        p15("TCMTR", 0, 0, 0, 2);
        p15("TLBTR", 0, 0, 0, 3);
        p15("MPIDR", 0, 0, 0, 5);
        p15("REVIDR", 0, 0, 0, 6);
        String[] c0c1 = {"ID_PFR0", "ID_PFR1", "ID_DFR0", "ID_AFR0", "ID_MMFR0", "ID_MMFR1", "ID_MMFR2", "ID_MMFR3"};
        for (int i = 0; i < c0c1.length; i++) {
            p15(c0c1[i], 0, 0, 1, i);
        }
        String[] c0c2 = {"ID_ISAR0", "ID_ISAR1", "ID_ISAR2", "ID_ISAR3", "ID_ISAR4", "ID_ISAR5", "ID_MMFR4", "ID_ISAR6"};
        for (int i = 0; i < c0c2.length; i++) {
            p15(c0c2[i], 0, 0, 2, i);
        }
        p15("ID_PFR2", 0, 0, 3, 4);
        p15("ID_DFR1", 0, 0, 3, 5);
        p15("ID_MMFR5", 0, 0, 3, 6);
        p15("CCSIDR", 0, 1, 0, 0);
        p15("CLIDR", 0, 1, 0, 1);
        p15("CCSIDR2", 0, 1, 0, 2);
        p15("AIDR", 0, 1, 0, 7);
        p15("CSSELR", 0, 2, 0, 0);
        p15("VPIDR", 0, 4, 0, 0);
        p15("VMPIDR", 0, 4, 0, 5);
        // c1: system control
        p15("SCTLR", 1, 0, 0, 0);
        p15("ACTLR", 1, 0, 0, 1);
        p15("CPACR", 1, 0, 0, 2);
        p15("ACTLR2", 1, 0, 0, 3);
        p15("SCR", 1, 0, 1, 0);
        p15("SDER", 1, 0, 1, 1);
        p15("NSACR", 1, 0, 1, 2);
        p15("TRFCR", 1, 0, 2, 1);
        p15("SDCR", 1, 0, 3, 1);
        p15("HSCTLR", 1, 4, 0, 0);
        p15("HACTLR", 1, 4, 0, 1);
        p15("HACTLR2", 1, 4, 0, 3);
        p15("HCR", 1, 4, 1, 0);
        p15("HDCR", 1, 4, 1, 1);
        p15("HCPTR", 1, 4, 1, 2);
        p15("HSTR", 1, 4, 1, 3);
        p15("HCR2", 1, 4, 1, 4);
        p15("HACR", 1, 4, 1, 7);
        p15("HTRFCR", 1, 4, 2, 1);
        // c2, c3: translation tables, domains
        p15("TTBR0", 2, 0, 0, 0);
        p15("TTBR1", 2, 0, 0, 1);
        p15("TTBCR", 2, 0, 0, 2);
        p15("TTBCR2", 2, 0, 0, 3);
        p15("HTCR", 2, 4, 0, 2);
        p15("VTCR", 2, 4, 1, 2);
        p15("DACR", 3, 0, 0, 0);
        // c4: (AArch32 views of) PSTATE-related registers
        p15("ICC_PMR", 4, 0, 6, 0);
        // c5, c6: fault status and address
        p15("DFSR", 5, 0, 0, 0);
        p15("IFSR", 5, 0, 0, 1);
        p15("ADFSR", 5, 0, 1, 0);
        p15("AIFSR", 5, 0, 1, 1);
        p15("HADFSR", 5, 4, 1, 0);
        p15("HAIFSR", 5, 4, 1, 1);
        p15("HSR", 5, 4, 2, 0);
        p15("DFAR", 6, 0, 0, 0);
        p15("IFAR", 6, 0, 0, 2);
        p15("HDFAR", 6, 4, 0, 0);
        p15("HIFAR", 6, 4, 0, 2);
        p15("HPFAR", 6, 4, 0, 4);
        // c7
        p15("PAR", 7, 0, 4, 0);
        // c9: performance monitors and L2 control
        String[] pmu12 = {"PMCR", "PMCNTENSET", "PMCNTENCLR", "PMOVSR", "PMSWINC", "PMSELR", "PMCEID0", "PMCEID1"};
        for (int i = 0; i < pmu12.length; i++) {
            p15(pmu12[i], 9, 0, 12, i);
        }
        p15("PMCCNTR", 9, 0, 13, 0);
        p15("PMXEVTYPER", 9, 0, 13, 1);
        p15("PMXEVCNTR", 9, 0, 13, 2);
        String[] pmu14 = {"PMUSERENR", "PMINTENSET", "PMINTENCLR", "PMOVSSET", "PMCEID2", "PMCEID3", "PMMIR"};
        for (int i = 0; i < pmu14.length; i++) {
            p15(pmu14[i], 9, 0, 14, i);
        }
        p15("L2CTLR", 9, 1, 0, 2);
        p15("L2ECTLR", 9, 1, 0, 3);
        // c10: memory attributes
        p15("PRRR", 10, 0, 2, 0);
        p15("NMRR", 10, 0, 2, 1);
        p15("AMAIR0", 10, 0, 3, 0);
        p15("AMAIR1", 10, 0, 3, 1);
        p15("HMAIR0", 10, 4, 2, 0);
        p15("HMAIR1", 10, 4, 2, 1);
        p15("HAMAIR0", 10, 4, 3, 0);
        p15("HAMAIR1", 10, 4, 3, 1);
        // c12: vectors, interrupt status, GIC CPU interface
        p15("VBAR", 12, 0, 0, 0);
        p15("MVBAR", 12, 0, 0, 1);
        p15("RMR", 12, 0, 0, 2);
        p15("ISR", 12, 0, 1, 0);
        p15("HVBAR", 12, 4, 0, 0);
        p15("HRMR", 12, 4, 0, 2);
        // c13: context and thread ID
        p15("FCSEIDR", 13, 0, 0, 0);
        p15("CONTEXTIDR", 13, 0, 0, 1);
        p15("TPIDRURW", 13, 0, 0, 2);
        p15("TPIDRURO", 13, 0, 0, 3);
        p15("TPIDRPRW", 13, 0, 0, 4);
        p15("HTPIDR", 13, 4, 0, 2);
        // c14: generic timer, PMU event counters
        p15("CNTFRQ", 14, 0, 0, 0);
        p15("CNTKCTL", 14, 0, 1, 0);
        p15("CNTP_TVAL", 14, 0, 2, 0);
        p15("CNTP_CTL", 14, 0, 2, 1);
        p15("CNTV_TVAL", 14, 0, 3, 0);
        p15("CNTV_CTL", 14, 0, 3, 1);
        p15("CNTHCTL", 14, 4, 1, 0);
        p15("CNTHP_TVAL", 14, 4, 2, 0);
        p15("CNTHP_CTL", 14, 4, 2, 1);
        p15("CNTHV_TVAL", 14, 4, 3, 0);
        p15("CNTHV_CTL", 14, 4, 3, 1);
        for (int n = 0; n < 31; n++) {
            p15("PMEVCNTR" + n, 14, 0, 8 + (n >> 3), n & 7);
            p15("PMEVTYPER" + n, 14, 0, 12 + (n >> 3), n & 7);
        }
        p15("PMCCFILTR", 14, 0, 15, 7);
        // c15: implementation defined, as QEMU models it for Cortex-A cores
        p15("CBAR", 15, 4, 0, 0);

        // p14: debug
        p14("DBGDIDR", 0, 0, 0, 0);
        p14("DBGDSCRint", 0, 0, 1, 0);
        p14("DBGDCCINT", 0, 0, 2, 0);
        p14("DBGDTRRXext", 0, 0, 0, 2);
        p14("DBGDSCRext", 0, 0, 2, 2);
        p14("DBGDTRTXext", 0, 0, 3, 2);
        p14("DBGDTRTXint", 0, 0, 5, 0);
        p14("DBGWFAR", 0, 0, 6, 0);
        p14("DBGVCR", 0, 0, 7, 0);
        for (int n = 0; n < 16; n++) {
            p14("DBGBVR" + n, 0, 0, n, 4);
            p14("DBGBCR" + n, 0, 0, n, 5);
            p14("DBGWVR" + n, 0, 0, n, 6);
            p14("DBGWCR" + n, 0, 0, n, 7);
            p14("DBGBXVR" + n, 1, 0, n, 1);
        }
        p14("DBGDRAR", 1, 0, 0, 0);
        p14("DBGOSLAR", 1, 0, 0, 4);
        p14("DBGOSLSR", 1, 0, 1, 4);
        p14("DBGOSDLR", 1, 0, 3, 4);
        p14("DBGPRCR", 1, 0, 4, 4);
        p14("DBGDSAR", 2, 0, 0, 0);
        p14("DBGCLAIMSET", 7, 0, 8, 6);
        p14("DBGCLAIMCLR", 7, 0, 9, 6);
        p14("DBGAUTHSTATUS", 7, 0, 14, 6);
        p14("DBGDEVID2", 7, 0, 0, 7);
        p14("DBGDEVID1", 7, 0, 1, 7);
        p14("DBGDEVID", 7, 0, 2, 7);
        // QEMU (7.2 to 10.x) defines DBGDEVID/1/2 at CRm=0, opc2=2/1/0 instead: its cpreg lists carry these IDs
        p14("QEMU_DBGDEVID", 7, 0, 0, 2);
        p14("QEMU_DBGDEVID1", 7, 0, 0, 1);
        p14("QEMU_DBGDEVID2", 7, 0, 0, 0);
        // QEMU's erroneous AArch32 view of DBGDTRTX_EL0 (opc1=3), removed in 10.1 and reinstated as a bogus register
        p14("DBGDTRTX", 0, 3, 5, 0);
        // ThumbEE / Jazelle (cp14 opc1 6/7)
        p14("TEECR", 0, 6, 0, 0);
        p14("TEEHBR", 1, 6, 0, 0);
        p14("JIDR", 0, 7, 0, 0);
        p14("JOSCR", 1, 7, 0, 0);
        p14("JMCR", 2, 7, 0, 0);

        // 64-bit views
        p15x64("TTBR0_64", 0, 2);
        p15x64("TTBR1_64", 1, 2);
        p15x64("HTTBR", 4, 2);
        p15x64("VTTBR", 6, 2);
        p15x64("PAR_64", 0, 7);
        p15x64("CNTPCT", 0, 14);
        p15x64("CNTVCT", 1, 14);
        p15x64("CNTP_CVAL", 2, 14);
        p15x64("CNTV_CVAL", 3, 14);
        p15x64("CNTVOFF", 4, 14);
        p15x64("CNTHP_CVAL", 6, 14);
        p15x64("CBAR_64", 1, 15);
        NAMES64.put(key64(14, 0, 1), "DBGDRAR_64");
        NAMES64.put(key64(14, 0, 2), "DBGDSAR_64");
    }

    /** Architectural name (with {@code _S} for the Secure bank), or null when not in the table. */
    static String name(RegId id) {
        String base = id.isCp64()
                ? NAMES64.get(key64(id.cpNum(), id.cpOpc1(), id.cpCrm()))
                : NAMES32.get(key32(id.cpNum(), id.cpCrn(), id.cpOpc1(), id.cpCrm(), id.cpOpc2()));
        if (base == null) {
            return null;
        }
        return id.cpNs() ? base : base + "_S";
    }

    /** {@code p15 c1 opc1=0 c0 opc2=0}-style encoding text. */
    static String encoding(RegId id) {
        String bank = id.cpNs() ? "" : " (S)";
        if (id.isCp64()) {
            return "p" + id.cpNum() + " opc1=" + id.cpOpc1() + " c" + id.cpCrm() + " (64-bit)" + bank;
        }
        return "p" + id.cpNum() + " c" + id.cpCrn() + " opc1=" + id.cpOpc1() + " c" + id.cpCrm()
                + " opc2=" + id.cpOpc2() + bank;
    }

    static Map<String, RegId> allNamesForParsing() {
        Map<String, RegId> out = new HashMap<>();
        NAMES32.forEach((k, n) -> {
            int cp = k >>> 16, crn = (k >>> 12) & 0xf, opc1 = (k >>> 8) & 0xf, crm = (k >>> 4) & 0xf, opc2 = k & 0xf;
            out.put(n, RegId.aarch32(false, true, cp, crn, crm, opc1, opc2));
            out.put(n + "_S", RegId.aarch32(false, false, cp, crn, crm, opc1, opc2));
        });
        NAMES64.forEach((k, n) -> {
            int cp = k >>> 8, opc1 = (k >>> 4) & 0xf, crm = k & 0xf;
            out.put(n, RegId.aarch32(true, true, cp, 0, crm, opc1, 0));
            out.put(n + "_S", RegId.aarch32(true, false, cp, 0, crm, opc1, 0));
        });
        return out;
    }
}
