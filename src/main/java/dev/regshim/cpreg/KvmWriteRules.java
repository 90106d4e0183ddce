package dev.regshim.cpreg;

import dev.regshim.regs.RegClass;
import dev.regshim.regs.RegId;
import dev.regshim.regs.fields.FieldDiff;
import dev.regshim.regs.fields.IdRegisterFields;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Which values a destination kernel's {@code KVM_SET_ONE_REG} accepts, as real kernels answer it (every rule here is
 * held against {@code KVM_SET_ONE_REG} results of real kernels: the value trials of regshim's kernel captures):
 * <ul>
 *   <li>a feature ID register (op0 3, op1 0, 1 or 3, CRn 0, CRm 0-7) may differ from the destination's value only
 *       in the bits of KVM's writable mask for it ({@code KVM_ARM_GET_REG_WRITABLE_MASKS}; no mask before 6.8, so no
 *       difference at all), and only by lowering what the destination offers, field by field by the kernel's safety
 *       rules; otherwise EINVAL;</li>
 *   <li>the firmware registers say which version or level of a service the guest was given: KVM accepts one it can
 *       still provide (a PSCI version or workaround level not above its own, feature bitmap bits it has);</li>
 *   <li>every other register takes any value.</li>
 * </ul>
 */
public final class KvmWriteRules implements KvmValueRule {

    /** Index into KVM's feature-ID writable-mask range: op1 0, 1, 3 (as 0, 1, 2), CRm, op2. */
    static final int RANGE_SIZE = 3 * 8 * 8;
    static final int PSCI_VERSION = 0;

    private final SortedMap<Integer, Long> masks;

    private KvmWriteRules(Map<Integer, Long> masks) {
        this.masks = new TreeMap<>(masks);
    }

    /** The rules of a destination whose kernel reported these writable masks (empty: none writable). */
    public static KvmWriteRules withMasks(Map<Integer, Long> masks) {
        return new KvmWriteRules(masks);
    }

    /** The index of an ID register in KVM's writable-mask range, or -1 outside it. */
    public static int maskIndex(RegId id) {
        if (id.regClass() != RegClass.SYSREG || id.op0() != 3 || id.crn() != 0 || id.crm() > 7) {
            return -1;
        }
        int op1 = id.op1();
        if (op1 != 0 && op1 != 1 && op1 != 3) {
            return -1;
        }
        int op1Index = op1 == 3 ? 2 : op1;
        return op1Index << 6 | id.crm() << 3 | id.op2();
    }

    @Override
    public Verdict check(RegId id, long incoming, long destination) {
        if (incoming == destination) {
            return Verdict.accept();
        }
        int index = maskIndex(id);
        if (index >= 0) {
            return idRegister(id, index, incoming, destination);
        }
        if (id.regClass() == RegClass.FW) {
            return firmware(id, incoming, destination);
        }
        if (id.regClass() == RegClass.FW_FEAT_BMAP) {
            return (incoming & ~destination) == 0 ? Verdict.accept() : Verdict.reject(String.format(
                    "KVM offers only the services of bitmap 0x%x; the guest was given 0x%x (EINVAL)", destination, incoming));
        }
        return Verdict.accept();
    }

    private Verdict idRegister(RegId id, int index, long incoming, long destination) {
        long mask = masks.getOrDefault(index, 0L);
        long outside = (incoming ^ destination) & ~mask;
        if (outside != 0) {
            return Verdict.reject(String.format("bits 0x%x differ outside KVM's writable mask 0x%016x (EINVAL): %s",
                    outside, mask, IdRegisterFields.diff(id, incoming, destination).summary()));
        }
        FieldDiff d = IdRegisterFields.diff(id, incoming, destination);
        if (d.verdict() == FieldDiff.Verdict.UNSAFE) {
            return Verdict.reject("writable, but the value asks for more than KVM offers: " + d.summary());
        }
        return Verdict.accept();
    }

    private static Verdict firmware(RegId id, long incoming, long destination) {
        long number = id.value() & 0xffff;
        String what = number == PSCI_VERSION ? "PSCI version" : "workaround level";
        if (Long.compareUnsigned(incoming, destination) <= 0) {
            return Verdict.accept();
        }
        return Verdict.reject(String.format("the guest was given %s 0x%x, KVM provides only 0x%x (EINVAL)", what,
                incoming, destination));
    }
}
