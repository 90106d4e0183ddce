package dev.regshim.cpreg;

import dev.regshim.regs.RegClass;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.fields.FieldChange;
import dev.regshim.regs.fields.FieldDiff;
import dev.regshim.regs.fields.FieldValue;
import dev.regshim.regs.fields.IdRegisterFields;
import dev.regshim.regs.fields.SafetyRule;

import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Which values a destination kernel's {@code KVM_SET_ONE_REG} accepts, as real kernels answer it (every rule here is
 * held against {@code KVM_SET_ONE_REG} results of real kernels: the value trials of regshim's kernel captures):
 * <ul>
 *   <li>a feature ID register (op0 3, op1 0, 1 or 3, CRn 0, CRm 0-7) may differ from the destination's value only
 *       in the bits of KVM's writable mask for it ({@code KVM_ARM_GET_REG_WRITABLE_MASKS}; no mask before 6.8, so no
 *       difference at all), and only by lowering what the destination offers, field by field by the kernel's safety
 *       rules (a feature register's field without a rule must not change; CLIDR_EL1, CTR_EL0 and the like are left
 *       to their own setters); otherwise EINVAL;</li>
 *   <li>before 6.3 (when KVM started to synthesise them) a DEMUX CCSIDR value must be the host's own;</li>
 *   <li>the firmware registers say which version or level of a service the guest was given: KVM accepts one it can
 *       still provide (a PSCI version or workaround level not above its own, feature bitmap bits it has);</li>
 *   <li>every other register takes any value.</li>
 * </ul>
 * Where a kernel departs from the v6.18 field rules for one field, {@link KvmFieldDeltas} says so: from 6.16 the
 * MMFR2.NV field is hidden and a written value equal to the hardware's own is dropped (so a stream of an older kernel
 * loads only on the same hardware, known from the capture offering nested virtualization); from 7.2 ISAR2.ATS1A may
 * be lowered.
 */
public final class KvmWriteRules implements KvmValueRule {

    /** Index into KVM's feature-ID writable-mask range: op1 0, 1, 3 (as 0, 1, 2), CRm, op2. */
    static final int RANGE_SIZE = 3 * 8 * 8;
    static final int PSCI_VERSION = 0;

    /** The release from which KVM synthesises CCSIDR values (7af0c2534f4c, v6.3) and takes others. */
    static final int[] CCSIDR_WRITABLE = {6, 3};

    private final SortedMap<Integer, Long> masks;
    private final int[] release;
    private final Map<String, Long> hardwareFields;

    private KvmWriteRules(int[] release, Map<Integer, Long> masks, Map<String, Long> hardwareFields) {
        this.release = release.clone();
        this.masks = new TreeMap<>(masks);
        this.hardwareFields = Map.copyOf(hardwareFields);
    }

    /** The rules of a destination whose kernel reported these writable masks (empty: none writable). */
    public static KvmWriteRules withMasks(Map<Integer, Long> masks) {
        return new KvmWriteRules(new int[]{Integer.MAX_VALUE, 0}, masks, Map.of());
    }

    /** The rules of a kernel release ({major, minor}; {0, 0} unknown: taken as current) with these writable masks. */
    public static KvmWriteRules of(int[] release, Map<Integer, Long> masks) {
        return of(release, masks, Map.of());
    }

    /**
     * As {@link #of(int[], Map)}, knowing the host hardware's value of fields KVM hides from vCPUs, keyed
     * {@code REGISTER.FIELD} (e.g. {@code ID_AA64MMFR2_EL1.NV}).
     */
    public static KvmWriteRules of(int[] release, Map<Integer, Long> masks, Map<String, Long> hardwareFields) {
        return new KvmWriteRules(release[0] == 0 ? new int[]{Integer.MAX_VALUE, 0} : release, masks, hardwareFields);
    }

    private boolean atLeast(int[] r) {
        return release[0] > r[0] || (release[0] == r[0] && release[1] >= r[1]);
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
        if (id.regClass() == RegClass.DEMUX_CCSIDR && !atLeast(CCSIDR_WRITABLE)) {
            return Verdict.reject(String.format("before 6.3 KVM takes only the host's own CCSIDR 0x%x (EINVAL)", destination));
        }
        if (id.regClass() == RegClass.FW_FEAT_BMAP) {
            return (incoming & ~destination) == 0 ? Verdict.accept() : Verdict.reject(String.format(
                    "KVM offers only the services of bitmap 0x%x; the guest was given 0x%x (EINVAL)", destination, incoming));
        }
        return Verdict.accept();
    }

    private Verdict idRegister(RegId id, int index, long incoming, long destination) {
        String register = RegCatalog.get().name(id);
        for (FieldValue f : IdRegisterFields.decode(id, incoming)) {
            Optional<KvmFieldDeltas.Delta> delta = KvmFieldDeltas.find(release, register, f.name());
            if (delta.isEmpty() || delta.get().behaviour() != KvmFieldDeltas.Behaviour.IGNORED_IF_HARDWARE) {
                continue;
            }
            long fieldMask = fieldMask(f);
            if (((incoming ^ destination) & fieldMask) == 0) {
                continue;
            }
            Long hardware = hardwareFields.get(register + "." + f.name());
            if (hardware == null) {
                return Verdict.reject(String.format("%s.%s %d: this kernel drops the field only when it equals the "
                        + "host hardware's, which the destination's profile does not record", register, f.name(),
                        f.value()));
            }
            if (f.value() != hardware) {
                return Verdict.reject(String.format("%s.%s %d: the host hardware has %d (EINVAL)", register, f.name(),
                        f.value(), hardware));
            }
            incoming &= ~fieldMask; // KVM drops it: what is set is the hidden value, 0
        }
        if (incoming == destination) {
            return Verdict.accept();
        }
        long mask = masks.getOrDefault(index, 0L);
        long outside = (incoming ^ destination) & ~mask;
        if (outside != 0) {
            return Verdict.reject(String.format("bits 0x%x differ outside KVM's writable mask 0x%016x (EINVAL): %s",
                    outside, mask, IdRegisterFields.diff(id, incoming, destination).summary()));
        }
        FieldDiff d = IdRegisterFields.diff(id, incoming, destination);
        // the feature ID registers (op1 0, CRm 1-7) go through KVM's per-field check, where a field it has no
        // safety rule for must not change; the others (CLIDR_EL1, CTR_EL0, ...) have setters of their own
        boolean featureRegister = id.op1() == 0 && id.crm() >= 1;
        boolean kvmRefuses = d.changes().stream().anyMatch(c -> !acceptedChange(register, c, featureRegister));
        if (kvmRefuses) {
            return Verdict.reject("writable, but the value asks for more than KVM offers: " + d.summary());
        }
        return Verdict.accept();
    }

    private boolean acceptedChange(String register, FieldChange c, boolean featureRegister) {
        Optional<KvmFieldDeltas.Delta> delta = KvmFieldDeltas.find(release, register, c.field());
        if (delta.isPresent() && delta.get().behaviour() == KvmFieldDeltas.Behaviour.LOWER_SAFE) {
            // old: the incoming value; new: the destination's. Lowering what the destination offers is accepted.
            return c.newValue() >= c.oldValue();
        }
        return c.safeForMigration() || (c.rule() == SafetyRule.NONE && !featureRegister);
    }

    private static long fieldMask(FieldValue f) {
        int width = f.msb() - f.lsb() + 1;
        return (width == Long.SIZE ? -1L : (1L << width) - 1) << f.lsb();
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
