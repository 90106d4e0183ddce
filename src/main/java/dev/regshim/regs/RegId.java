package dev.regshim.regs;

/**
 * A 64-bit KVM register ID, as listed by {@code KVM_GET_REG_LIST} and as QEMU sends it in the cpreg arrays.
 *
 * <pre>
 *  63      56 55  52 51        32 31   28 27           16 15                       0
 * +----------+------+------------+-------+---------------+--------------------------+
 * |   arch   | size |    0       | (32b) |    coproc     |  class-specific index    |
 * +----------+------+------------+-------+---------------+--------------------------+
 *  arch: 0x60 = arm64, 0x40 = arm (AArch32, used by QEMU under TCG)
 *  size: log2 of the register's byte size (2 = U32, 3 = U64, 4 = U128 ... 8 = U2048)
 *  coproc (arm64): 0x10 CORE, 0x11 DEMUX, 0x13 SYSREG, 0x14 FW, 0x15 SVE, 0x16 FW_FEAT_BMAP
 *  coproc (arm):   the coprocessor number (14, 15); bit 29 is QEMU's NS bank bit
 *  SYSREG index:   op0[15:14] op1[13:11] CRn[10:7] CRm[6:3] op2[2:0]
 *  AArch32 index:  CRn[14:11] CRm[10:7] opc1[5:3] opc2[2:0]; 64-bit registers have CRn = 0
 * </pre>
 *
 * Ordering is unsigned, as QEMU sorts its lists ({@code compare_u64}), so AArch32 (0x40…) IDs sort first.
 */
public record RegId(long value) implements Comparable<RegId> {

    public static final long ARCH_MASK = 0xff00_0000_0000_0000L;
    public static final long ARCH_ARM64 = 0x6000_0000_0000_0000L;
    public static final long ARCH_ARM = 0x4000_0000_0000_0000L;

    public static final int SIZE_SHIFT = 52;
    public static final long SIZE_MASK = 0x00f0_0000_0000_0000L;
    public static final long SIZE_U32 = 2L << SIZE_SHIFT;
    public static final long SIZE_U64 = 3L << SIZE_SHIFT;
    public static final long SIZE_U128 = 4L << SIZE_SHIFT;
    public static final long SIZE_U256 = 5L << SIZE_SHIFT;
    public static final long SIZE_U512 = 6L << SIZE_SHIFT;
    public static final long SIZE_U2048 = 8L << SIZE_SHIFT;

    public static final int COPROC_SHIFT = 16;
    public static final long COPROC_MASK = 0x0fff_0000L;
    public static final int COPROC_CORE = 0x10;
    public static final int COPROC_DEMUX = 0x11;
    public static final int COPROC_SYSREG = 0x13;
    public static final int COPROC_FW = 0x14;
    public static final int COPROC_SVE = 0x15;
    public static final int COPROC_FW_FEAT_BMAP = 0x16;

    public static final int SYSREG_OP0_SHIFT = 14;
    public static final int SYSREG_OP1_SHIFT = 11;
    public static final int SYSREG_CRN_SHIFT = 7;
    public static final int SYSREG_CRM_SHIFT = 3;
    public static final int SYSREG_OP2_SHIFT = 0;
    public static final long SYSREG_INDEX_MASK = 0xffffL;

    /** AArch32 (QEMU ENCODE_CP_REG) layout. */
    public static final int CP_NS_SHIFT = 29;
    public static final int CP_CRN_SHIFT = 11;
    public static final int CP_CRM_SHIFT = 7;
    public static final int CP_OPC1_SHIFT = 3;
    public static final int CP_OPC2_SHIFT = 0;

    /** DEMUX: id-type in bits 15:8 (0 = CCSIDR), CSSELR value in bits 7:0. */
    public static final int DEMUX_ID_SHIFT = 8;
    public static final long DEMUX_ID_MASK = 0xff00L;
    public static final long DEMUX_VAL_MASK = 0xffL;
    public static final int DEMUX_ID_CCSIDR = 0;

    /** SVE: Z base 0x000, P base 0x400, FFR base 0x600, register number in bits 9:5, slice in bits 4:0. */
    public static final int SVE_ZREG_BASE = 0x000;
    public static final int SVE_PREG_BASE = 0x400;
    public static final int SVE_FFR_BASE = 0x600;
    public static final int SVE_VLS_INDEX = 0xffff;
    public static final int SVE_REGNO_SHIFT = 5;
    public static final int SVE_SLICE_MASK = 0x1f;

    private static final long ARM64_SYSREG_BASE = ARCH_ARM64 | SIZE_U64 | ((long) COPROC_SYSREG << COPROC_SHIFT);

    public static RegId of(long value) {
        return new RegId(value);
    }

    /** {@code ARM64_SYS_REG(op0, op1, crn, crm, op2)}. */
    public static RegId sysreg(int op0, int op1, int crn, int crm, int op2) {
        checkRange("op0", op0, 3);
        checkRange("op1", op1, 7);
        checkRange("CRn", crn, 15);
        checkRange("CRm", crm, 15);
        checkRange("op2", op2, 7);
        return new RegId(ARM64_SYSREG_BASE
                | ((long) op0 << SYSREG_OP0_SHIFT) | ((long) op1 << SYSREG_OP1_SHIFT)
                | ((long) crn << SYSREG_CRN_SHIFT) | ((long) crm << SYSREG_CRM_SHIFT) | op2);
    }

    /** {@code KVM_REG_ARM_FW_REG(n)}. */
    public static RegId fw(int n) {
        checkRange("fw reg", n, 0xffff);
        return new RegId(ARCH_ARM64 | SIZE_U64 | ((long) COPROC_FW << COPROC_SHIFT) | n);
    }

    /** {@code KVM_REG_ARM_FW_FEAT_BMAP_REG(n)}. */
    public static RegId fwFeatBmap(int n) {
        checkRange("fw feat reg", n, 0xffff);
        return new RegId(ARCH_ARM64 | SIZE_U64 | ((long) COPROC_FW_FEAT_BMAP << COPROC_SHIFT) | n);
    }

    /** A core register by its 32-bit-word index into {@code struct kvm_regs}, with the given size field. */
    public static RegId core(long size, int index) {
        return new RegId(ARCH_ARM64 | size | ((long) COPROC_CORE << COPROC_SHIFT) | index);
    }

    /** DEMUX CCSIDR for the given CSSELR value. */
    public static RegId ccsidr(int csselr) {
        checkRange("CSSELR", csselr, 0xff);
        return new RegId(ARCH_ARM64 | SIZE_U32 | ((long) COPROC_DEMUX << COPROC_SHIFT)
                | ((long) DEMUX_ID_CCSIDR << DEMUX_ID_SHIFT) | csselr);
    }

    /** The AArch32 coprocessor register ID QEMU's {@code cpreg_to_kvm_id} produces. */
    public static RegId aarch32(boolean is64, boolean ns, int cp, int crn, int crm, int opc1, int opc2) {
        checkRange("cp", cp, 15);
        checkRange("CRn", crn, 15);
        checkRange("CRm", crm, 15);
        checkRange("opc1", opc1, 7);
        checkRange("opc2", opc2, 7);
        if (is64 && (crn != 0 || opc2 != 0)) {
            throw new IllegalArgumentException("64-bit AArch32 registers have no CRn/opc2");
        }
        long v = ARCH_ARM | (is64 ? SIZE_U64 : SIZE_U32) | ((long) cp << COPROC_SHIFT)
                | ((long) crn << CP_CRN_SHIFT) | ((long) crm << CP_CRM_SHIFT)
                | ((long) opc1 << CP_OPC1_SHIFT) | opc2;
        if (ns) {
            v |= 1L << CP_NS_SHIFT;
        }
        return new RegId(v);
    }

    private static void checkRange(String what, int v, int max) {
        if (v < 0 || v > max) {
            throw new IllegalArgumentException(what + " " + v + " out of range 0.." + max);
        }
    }

    public long arch() {
        return value & ARCH_MASK;
    }

    /** Size in bytes, from the size field ({@code 1 << field}). */
    public int sizeBytes() {
        return 1 << (int) ((value & SIZE_MASK) >>> SIZE_SHIFT);
    }

    public int coproc() {
        return (int) ((value & COPROC_MASK) >>> COPROC_SHIFT);
    }

    public int index16() {
        return (int) (value & SYSREG_INDEX_MASK);
    }

    public RegClass regClass() {
        long arch = arch();
        if (arch == ARCH_ARM64) {
            long size = value & SIZE_MASK;
            long reserved = value & 0x000f_ffff_0000_0000L;
            if (reserved != 0) {
                return RegClass.UNKNOWN;
            }
            switch (coproc()) {
                case COPROC_CORE:
                    return (value & 0xffff_0000_0000L) == 0 ? RegClass.CORE : RegClass.UNKNOWN;
                case COPROC_DEMUX:
                    return size == SIZE_U32 && ((value & DEMUX_ID_MASK) >>> DEMUX_ID_SHIFT) == DEMUX_ID_CCSIDR
                            ? RegClass.DEMUX_CCSIDR : RegClass.UNKNOWN;
                case COPROC_SYSREG:
                    return size == SIZE_U64 ? RegClass.SYSREG : size == SIZE_U128 ? RegClass.SYSREG128 : RegClass.UNKNOWN;
                case COPROC_FW:
                    return size == SIZE_U64 ? RegClass.FW : RegClass.UNKNOWN;
                case COPROC_FW_FEAT_BMAP:
                    return size == SIZE_U64 ? RegClass.FW_FEAT_BMAP : RegClass.UNKNOWN;
                case COPROC_SVE:
                    return RegClass.SVE;
                default:
                    return RegClass.UNKNOWN;
            }
        }
        if (arch == ARCH_ARM) {
            long size = value & SIZE_MASK;
            int cp = coproc();
            boolean junk = (value & 0x000f_ffff_c000_0000L) != 0 || cp > 15;
            if (junk) {
                return RegClass.UNKNOWN;
            }
            if (size == SIZE_U32) {
                return RegClass.AARCH32_CP32;
            }
            if (size == SIZE_U64 && cpCrn() == 0 && cpOpc2() == 0) {
                return RegClass.AARCH32_CP64;
            }
        }
        return RegClass.UNKNOWN;
    }

    // --- SYSREG fields ---
    public int op0() {
        return (int) ((value >>> SYSREG_OP0_SHIFT) & 0x3);
    }

    public int op1() {
        return (int) ((value >>> SYSREG_OP1_SHIFT) & 0x7);
    }

    public int crn() {
        return (int) ((value >>> SYSREG_CRN_SHIFT) & 0xf);
    }

    public int crm() {
        return (int) ((value >>> SYSREG_CRM_SHIFT) & 0xf);
    }

    public int op2() {
        return (int) (value & 0x7);
    }

    // --- AArch32 fields ---
    public boolean cpNs() {
        return ((value >>> CP_NS_SHIFT) & 1) != 0;
    }

    public int cpNum() {
        return coproc();
    }

    public int cpCrn() {
        return (int) ((value >>> CP_CRN_SHIFT) & 0xf);
    }

    public int cpCrm() {
        return (int) ((value >>> CP_CRM_SHIFT) & 0xf);
    }

    public int cpOpc1() {
        return (int) ((value >>> CP_OPC1_SHIFT) & 0x7);
    }

    public int cpOpc2() {
        return (int) (value & 0x7);
    }

    public boolean isCp64() {
        return (value & SIZE_MASK) == SIZE_U64;
    }

    /** Whether QEMU under KVM keeps this register in its cpreg list ({@code kvm_arm_reg_syncs_via_cpreg_list}). */
    public boolean syncsViaCpregList() {
        RegClass c = regClass();
        return c != RegClass.CORE && c != RegClass.SVE;
    }

    /** {@code S3_0_C2_C0_3} style encoding, for SYSREG IDs only. */
    public String sysregEncoding() {
        return "S" + op0() + "_" + op1() + "_C" + crn() + "_C" + crm() + "_" + op2();
    }

    /**
     * The 32-bit QEMU cpreg key ({@code kvm_to_cpreg_id}, {@link CpregKey#of}), which QEMU 11.1 prints as
     * {@code system register 0x%x} when it has no KVM name printer.
     */
    public int qemuCpregKey() {
        return CpregKey.of(this);
    }

    public String hex() {
        return String.format("0x%016x", value);
    }

    @Override
    public int compareTo(RegId o) {
        return Long.compareUnsigned(value, o.value);
    }

    @Override
    public String toString() {
        return hex();
    }
}
