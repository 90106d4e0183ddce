package dev.regshim.regs;

import java.util.List;

/**
 * QEMU's 32-bit cpreg key: the key of its register hashtable, which QEMU 11.1 prints as {@code system register 0x%x}
 * when it has no KVM name for a register (always under TCG). The one place that converts keys and KVM IDs
 * ({@code kvm_to_cpreg_id} / {@code cpreg_to_kvm_id} in QEMU's target/arm/cpregs.h).
 *
 * <pre>
 *  AArch64: bit 28 set (CP_REG_AA64),  coproc 0x13 in bits 27:16, the KVM SYSREG index in bits 15:0
 *  AArch32: bit 29 = non-secure bank,  cp in bits 27:16, bit 15 = 64-bit (MRRC/MCRR),
 *           CRn[14:11] CRm[10:7] opc1[6:3] opc2[2:0]
 * </pre>
 *
 * A KVM ID becomes a key by keeping its low 32 bits and adding the AArch64 flag, or for AArch32 the 64-bit flag and
 * always the non-secure flag: so a Secure-bank register ({@code PAR_S}) prints with the same key as its non-secure
 * twin ({@code PAR}), and one printed key can stand for two registers ({@link #printedAs}).
 */
public final class CpregKey {

    public static final int AA64_FLAG = 1 << 28;
    public static final int NS_FLAG = 1 << 29;
    public static final int CP64_FLAG = 1 << 15;

    private CpregKey() {
    }

    /** {@code kvm_to_cpreg_id}: the key QEMU files (and 11.1 prints) this register under. */
    public static int of(RegId id) {
        int key = (int) id.value();
        if (id.arch() == RegId.ARCH_ARM64) {
            return key | AA64_FLAG;
        }
        if (id.isCp64()) {
            key |= CP64_FLAG;
        }
        return key | NS_FLAG;
    }

    /** {@code cpreg_to_kvm_id}: the KVM register ID a key stands for (the bank its NS bit names). */
    public static RegId toKvmId(int key) {
        long k = key & 0xffff_ffffL;
        if ((key & AA64_FLAG) != 0) {
            return RegId.of(RegId.ARCH_ARM64 | RegId.SIZE_U64 | (k & ~(long) AA64_FLAG));
        }
        boolean is64 = (key & CP64_FLAG) != 0;
        return RegId.of(RegId.ARCH_ARM | (is64 ? RegId.SIZE_U64 : RegId.SIZE_U32) | (k & ~(long) CP64_FLAG));
    }

    /**
     * The registers QEMU prints as this key: for a non-secure AArch32 key both banks (the register and its Secure
     * {@code _S} twin, which {@link #of} also marks non-secure), else the one register {@link #toKvmId} names.
     */
    public static List<RegId> printedAs(int key) {
        RegId id = toKvmId(key);
        if ((key & AA64_FLAG) != 0 || (key & NS_FLAG) == 0) {
            return List.of(id);
        }
        RegId secure = RegId.of(id.value() & ~(1L << RegId.CP_NS_SHIFT));
        return List.of(id, secure);
    }

    /**
     * Whether a number read as hex is a cpreg key rather than a KVM ID: KVM IDs always carry an architecture in
     * their top byte, so a value that fits in 32 bits can only be a key.
     */
    public static boolean isKey(long value) {
        return (value >>> 32) == 0;
    }
}
