package dev.regshim.stream;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Field layout of the ARM {@code cpu} section ({@code vmstate_arm_cpu}, version 22, identical in QEMU 7.2, 10.x and 11.1),
 * offsets relative to the start of the section's field data:
 *
 * <pre>
 *   0  env.regs u32x16          64  env.xregs u64x32        320  env.pc u64          328  cpsr (PSTATE) u32
 * 332  env.spsr u32            336  env.banked_spsr u64x8   400  env.banked_r13 u32x8 432 env.banked_r14 u32x8
 * 464  env.usr_regs u32x5      484  env.fiq_regs u32x5      504  env.elr_el u64x4     536 env.sp_el u64x4
 * 568  cpreg_vmstate_array_len be32 N    572  indexes u64xN    572+8N  values u64xN
 * 572+16N  exclusive_addr/val/high u64x3, unused 8 (zero), syndrome u32, fsr u32, vaddress u64,
 *          gt_timer[PHYS] timer, gt_timer[VIRT] timer, power_state u8        (65 bytes)
 * 637+16N  subsections: u8 0x05, u8 len, name, be32 version, fields, nested subsections
 * </pre>
 *
 * Subsections appear only when QEMU's {@code needed()} says so (it depends on the CPU model and on runtime state), so
 * their presence is always read from the stream, by name, with the sizes in {@link #SUBSECTIONS}.
 */
public final class CpuLayout {

    public static final String IDSTR = "cpu";
    public static final int VERSION = 22;

    public static final List<FieldSpec> PREFIX_FIELDS = List.of(
            new FieldSpec("env.regs", 4, 16),
            new FieldSpec("env.xregs", 8, 32),
            new FieldSpec("env.pc", 8, 1),
            new FieldSpec("cpsr", 4, 1),
            new FieldSpec("env.spsr", 4, 1),
            new FieldSpec("env.banked_spsr", 8, 8),
            new FieldSpec("env.banked_r13", 4, 8),
            new FieldSpec("env.banked_r14", 4, 8),
            new FieldSpec("env.usr_regs", 4, 5),
            new FieldSpec("env.fiq_regs", 4, 5),
            new FieldSpec("env.elr_el", 8, 4),
            new FieldSpec("env.sp_el", 8, 4));

    public static final List<FieldSpec> SUFFIX_FIELDS = List.of(
            new FieldSpec("env.exclusive_addr", 8, 1),
            new FieldSpec("env.exclusive_val", 8, 1),
            new FieldSpec("env.exclusive_high", 8, 1),
            new FieldSpec("unused", 8, 1),
            new FieldSpec("env.exception.syndrome", 4, 1),
            new FieldSpec("env.exception.fsr", 4, 1),
            new FieldSpec("env.exception.vaddress", 8, 1),
            new FieldSpec("gt_timer[GTIMER_PHYS]", 8, 1),
            new FieldSpec("gt_timer[GTIMER_VIRT]", 8, 1),
            new FieldSpec("power_state", 1, 1));

    /** Offset of {@code cpreg_vmstate_array_len} in the field data. */
    public static final int ARRAY_LEN_OFFSET = FieldSpec.totalBytes(PREFIX_FIELDS);
    public static final int ARRAY_LEN_BYTES = Integer.BYTES;
    /** Offset of the first cpreg index. */
    public static final int INDEXES_OFFSET = ARRAY_LEN_OFFSET + ARRAY_LEN_BYTES;
    public static final int CPREG_BYTES = Long.BYTES;
    /** Bytes of the fixed fields after the values. */
    public static final int SUFFIX_BYTES = FieldSpec.totalBytes(SUFFIX_FIELDS);

    public static final String CPREG_ARRAY_LEN_FIELD = "cpreg_vmstate_array_len";
    public static final String CPREG_INDEXES_FIELD = "cpreg_vmstate_indexes";
    public static final String CPREG_VALUES_FIELD = "cpreg_vmstate_values";

    /** ARM_MAX_VQ: 16 quadwords (2048-bit vectors). */
    private static final int MAX_VQ = 16;
    private static final int ZREGS = 32;
    private static final int PREGS = 17;

    /**
     * A subsection QEMU may send for an A-profile CPU. {@code parent} is the vmsd it nests in ({@code cpu} or
     * {@code cpu/vfp}).
     */
    public record SubsectionSpec(String name, int version, List<FieldSpec> fields, String parent) {
        /** The bytes of a fixed-size subsection; for a {@linkplain #counted counted} one, with a count of 0. */
        public int dataBytes() {
            return FieldSpec.totalBytes(fields);
        }

        /** Whether its data starts with a be32 element count that sizes the arrays after it ({@link #SYSREG128}). */
        public boolean counted() {
            return name.equals(SYSREG128);
        }

        /** The fields of a counted subsection holding {@code n} elements (or the fixed fields). */
        public List<FieldSpec> fieldsFor(int n) {
            if (!counted()) {
                return fields;
            }
            return List.of(new FieldSpec(SYSREG128_LEN_FIELD, Integer.BYTES, 1),
                    new FieldSpec(SYSREG128_INDEXES_FIELD, CPREG_BYTES, n),
                    new FieldSpec(SYSREG128_VALUES_FIELD, SYSREG128_VALUE_BYTES, n));
        }
    }

    /**
     * QEMU 11.2's 128-bit system registers (FEAT_SYSREG128): {@code VMSTATE_INT32_POSITIVE_LE} count, then that many
     * u64 KVM register IDs, then that many {@code int128} values (be64 high word, then be64 low word).
     */
    public static final String SYSREG128 = "cpu/sysreg128";
    public static final String SYSREG128_LEN_FIELD = "cpreg128_vmstate_array_len";
    public static final String SYSREG128_INDEXES_FIELD = "cpreg128_vmstate_indexes";
    public static final String SYSREG128_VALUES_FIELD = "cpreg128_vmstate_values";
    public static final int SYSREG128_VALUE_BYTES = 16;

    public static final List<SubsectionSpec> SUBSECTION_LIST = List.of(
            new SubsectionSpec("cpu/vfp", 3, List.of(
                    new FieldSpec("env.vfp.zregs[].d", 8, ZREGS * 2),
                    new FieldSpec("env.vfp.xregs[0]", 4, 1),
                    new FieldSpec("env.vfp.xregs[2..15]", 4, 14),
                    new FieldSpec("fpscr", 4, 1)), IDSTR),
            new SubsectionSpec("cpu/vfp/fpcr_fpsr", 1, List.of(
                    new FieldSpec("fpcr", 8, 1),
                    new FieldSpec("fpsr", 8, 1)), "cpu/vfp"),
            new SubsectionSpec("cpu/iwmmxt", 1, List.of(
                    new FieldSpec("env.iwmmxt.regs", 8, 16),
                    new FieldSpec("env.iwmmxt.cregs", 4, 16)), IDSTR),
            // QEMU migrates only ARM_MAX_VQ - 2 high words of each Z register (sic)
            new SubsectionSpec("cpu/sve", 1, List.of(
                    new FieldSpec("env.vfp.zregs[].d[2..]", 8, ZREGS * (MAX_VQ - 2)),
                    new FieldSpec("env.vfp.pregs[].p", 8, PREGS * (2 * MAX_VQ / 8))), IDSTR),
            new SubsectionSpec("cpu/sme", 1, List.of(
                    new FieldSpec("env.zarray[].d", 8, MAX_VQ * 16 * MAX_VQ * 2)), IDSTR),
            new SubsectionSpec("cpu/zt0", 1, List.of(
                    new FieldSpec("env.za_state.zt0", 8, 8)), IDSTR),
            new SubsectionSpec("cpu/serror", 1, List.of(
                    new FieldSpec("env.serror.pending", 1, 1),
                    new FieldSpec("env.serror.has_esr", 1, 1),
                    new FieldSpec("env.serror.esr", 8, 1)), IDSTR),
            new SubsectionSpec("cpu/irq-line-state", 1, List.of(
                    new FieldSpec("env.irq_line_state", 4, 1)), IDSTR),
            new SubsectionSpec("cpu/wfxt-timer", 1, List.of(
                    new FieldSpec("wfxt_timer", 8, 1)), IDSTR),
            new SubsectionSpec("cpu/syndrome64", 1, List.of(
                    new FieldSpec("env.exception.syndrome", 8, 1)), IDSTR),
            new SubsectionSpec("cpu/pstate64", 1, List.of(
                    new FieldSpec("pstate64", 8, 1)), IDSTR),
            // AArch32 CPUs with ThumbEE (cortex-a7/a15 on virt), all releases
            new SubsectionSpec("cpu/thumb2ee", 1, List.of(
                    new FieldSpec("env.teecr", 4, 1),
                    new FieldSpec("env.teehbr", 4, 1)), IDSTR),
            // the event register (QEMU 11.x), sent once a guest has set it, e.g. with SEVL (Linux spin loops)
            new SubsectionSpec("cpu/event", 1, List.of(
                    new FieldSpec("env.event_register", 1, 1)), IDSTR),
            // FEAT_FPMR (QEMU 11.x, -cpu max)
            new SubsectionSpec("cpu/fpmr", 1, List.of(
                    new FieldSpec("env.vfp.fpmr", 8, 1)), IDSTR),
            // QEMU 11.2: 128-bit system registers; a count, then the arrays it sizes (see fieldsFor)
            new SubsectionSpec(SYSREG128, 1, List.of(
                    new FieldSpec(SYSREG128_LEN_FIELD, Integer.BYTES, 1)), IDSTR));

    public static final Map<String, SubsectionSpec> SUBSECTIONS = SUBSECTION_LIST.stream()
            .collect(Collectors.toUnmodifiableMap(SubsectionSpec::name, Function.identity()));

    private CpuLayout() {
    }

    public static Optional<SubsectionSpec> subsection(String name) {
        return Optional.ofNullable(SUBSECTIONS.get(name));
    }

    /** Bytes of the field data before the subsections, for N cpregs. */
    public static int mainFieldBytes(int n) {
        return INDEXES_OFFSET + 2 * CPREG_BYTES * n + SUFFIX_BYTES;
    }
}
