package dev.regshim.regs;

import dev.regshim.util.Tsv;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Names of arm64 KVM register IDs. Sysreg names come from the kernel's own tables (the KVM {@code sys_reg_descs}
 * name first, newest kernel first, then the architectural names of {@code arch/arm64/tools/sysreg} and
 * {@code asm/sysreg.h}); timer registers are named by their KVM uapi constants because the CNT and CVAL IDs are
 * swapped relative to the architectural encodings; FW, bitmap, core, SVE, DEMUX and AArch32 names are built in.
 */
public final class RegCatalog {

    static final String DATA = "/dev/regshim/data/kvm-regs/";
    static final String[] KERNEL_TABLES = {"6.18", "6.17", "6.14", "6.13", "6.12", "6.10", "6.8", "6.6", "6.1"};

    /** Prefix for core-register display names: several clash with sysreg names (ELR_EL1, SP_EL1, FPCR, ...). */
    public static final String CORE_PREFIX = "core.";

    private static final String[] FW_NAMES = {
        "KVM_REG_ARM_PSCI_VERSION", "KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1",
        "KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2", "KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3"};
    private static final String[] BMAP_NAMES = {
        "KVM_REG_ARM_STD_BMAP", "KVM_REG_ARM_STD_HYP_BMAP", "KVM_REG_ARM_VENDOR_HYP_BMAP",
        "KVM_REG_ARM_VENDOR_HYP_BMAP_2"};
    static final String KVM_PREFIX = "KVM_REG_ARM_";

    /** Timer registers by KVM uapi constant (ID → name, architectural encoding that ID carries). */
    private static final Map<Long, String[]> TIMERS = new LinkedHashMap<>();

    static {
        TIMERS.put(0x603000000013df19L, new String[]{"KVM_REG_ARM_TIMER_CTL", "CNTV_CTL_EL0"});
        TIMERS.put(0x603000000013df1aL, new String[]{"KVM_REG_ARM_TIMER_CNT", "CNTV_CVAL_EL0 encoding; holds the virtual count"});
        TIMERS.put(0x603000000013df02L, new String[]{"KVM_REG_ARM_TIMER_CVAL", "CNTVCT_EL0 encoding; holds CNTV_CVAL"});
        TIMERS.put(0x603000000013df11L, new String[]{"KVM_REG_ARM_PTIMER_CTL", "CNTP_CTL_EL0"});
        TIMERS.put(0x603000000013df01L, new String[]{"KVM_REG_ARM_PTIMER_CNT", "CNTPCT_EL0"});
        TIMERS.put(0x603000000013df12L, new String[]{"KVM_REG_ARM_PTIMER_CVAL", "CNTP_CVAL_EL0"});
    }

    private static volatile RegCatalog instance;

    /** SYSREG ID → names, preferred first. */
    private final Map<Long, List<String>> sysregNames;
    /** Upper-cased name → IDs it can mean (more than one = ambiguous). */
    private final Map<String, Set<RegId>> byName;

    private RegCatalog() {
        Map<Long, LinkedHashSet<String>> names = new HashMap<>();
        for (Map.Entry<Long, String[]> t : TIMERS.entrySet()) {
            names.computeIfAbsent(t.getKey(), k -> new LinkedHashSet<>()).add(t.getValue()[0]);
        }
        for (String v : KERNEL_TABLES) {
            for (Map<String, String> row : Tsv.readResource(DATA + "sys_reg_descs-v" + v + ".tsv")) {
                addName(names, row.get("kvm_id"), row.get("name"));
            }
        }
        for (Map<String, String> row : Tsv.readResource(DATA + "sysreg-names.tsv")) {
            addName(names, row.get("kvm_id"), row.get("name"));
        }
        Map<Long, List<String>> frozen = new HashMap<>();
        names.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        this.sysregNames = frozen;

        Map<String, Set<RegId>> index = new HashMap<>();
        frozen.forEach((id, list) -> list.forEach(n -> index(index, n, RegId.of(id))));
        frozen.forEach((id, list) -> list.forEach(n -> index(index, n + SYSREG128_SUFFIX, sysreg128(id))));
        for (int i = 0; i < FW_NAMES.length; i++) {
            index(index, FW_NAMES[i], RegId.fw(i));
            index(index, FW_NAMES[i].substring(KVM_PREFIX.length()), RegId.fw(i));
        }
        for (int i = 0; i < BMAP_NAMES.length; i++) {
            index(index, BMAP_NAMES[i], RegId.fwFeatBmap(i));
            index(index, BMAP_NAMES[i].substring(KVM_PREFIX.length()), RegId.fwFeatBmap(i));
        }
        for (RegId core : CoreRegs.all()) {
            String n = CoreRegs.name(core);
            index(index, CORE_PREFIX + n, core);
            index(index, n, core);
        }
        for (int sel = 0; sel < 14; sel++) {
            index(index, demuxName(sel), RegId.ccsidr(sel));
        }
        Aarch32Names.allNamesForParsing().forEach((n, id) -> index(index, n, id));
        for (int z = 0; z < 32; z++) {
            index(index, "Z" + z, sveZ(z, 0));
        }
        for (int p = 0; p < 16; p++) {
            index(index, "P" + p, sveP(p, 0));
        }
        index(index, "FFR", RegId.of(RegId.ARCH_ARM64 | RegId.SIZE_U256 | ((long) RegId.COPROC_SVE << RegId.COPROC_SHIFT)
                | RegId.SVE_FFR_BASE));
        index(index, "SVE_VLS", RegId.of(0x606000000015ffffL));
        index(index, "KVM_REG_ARM64_SVE_VLS", RegId.of(0x606000000015ffffL));
        Map<String, Set<RegId>> frozenIndex = new HashMap<>();
        index.forEach((k, v) -> frozenIndex.put(k, Collections.unmodifiableSet(v)));
        this.byName = frozenIndex;
    }

    private static void addName(Map<Long, LinkedHashSet<String>> names, String hexId, String name) {
        if (hexId == null || name == null || name.isBlank() || !hexId.startsWith("0x")) {
            return;
        }
        long id = Long.parseUnsignedLong(hexId.substring(2), 16);
        names.computeIfAbsent(id, k -> new LinkedHashSet<>()).add(name.trim());
    }

    private static void index(Map<String, Set<RegId>> index, String name, RegId id) {
        index.computeIfAbsent(name.toUpperCase(Locale.ROOT), k -> new java.util.TreeSet<>()).add(id);
    }

    public static RegCatalog get() {
        RegCatalog c = instance;
        if (c == null) {
            synchronized (RegCatalog.class) {
                c = instance;
                if (c == null) {
                    c = new RegCatalog();
                    instance = c;
                }
            }
        }
        return c;
    }

    static RegId sveZ(int n, int slice) {
        return RegId.of(RegId.ARCH_ARM64 | RegId.SIZE_U2048 | ((long) RegId.COPROC_SVE << RegId.COPROC_SHIFT)
                | RegId.SVE_ZREG_BASE | ((long) n << RegId.SVE_REGNO_SHIFT) | slice);
    }

    static RegId sveP(int n, int slice) {
        return RegId.of(RegId.ARCH_ARM64 | RegId.SIZE_U256 | ((long) RegId.COPROC_SVE << RegId.COPROC_SHIFT)
                | RegId.SVE_PREG_BASE | ((long) n << RegId.SVE_REGNO_SHIFT) | slice);
    }

    static String demuxName(int csselr) {
        return "CCSIDR[" + csselr + "]";
    }

    /** What names a 128-bit system register: the 64-bit register's name of the same encoding, and this. */
    public static final String SYSREG128_SUFFIX = "_128";

    private static RegId sysreg128(long sysreg64) {
        return RegId.of((sysreg64 & ~RegId.SIZE_MASK) | RegId.SIZE_U128);
    }

    /** The name regshim shows for an ID: always non-empty, falling back to the encoding when no name is known. */
    public String name(RegId id) {
        return knownName(id).orElseGet(() -> encoding(id));
    }

    /** The preferred name, when the ID has one. */
    public Optional<String> knownName(RegId id) {
        List<String> all = names(id);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    /** Every name of the ID, preferred first (empty when unnamed). */
    public List<String> names(RegId id) {
        switch (id.regClass()) {
            case SYSREG: {
                List<String> n = sysregNames.get(id.value());
                return n == null ? List.of() : n;
            }
            case SYSREG128: {
                List<String> n = sysregNames.get((id.value() & ~RegId.SIZE_MASK) | RegId.SIZE_U64);
                return n == null ? List.of() : n.stream().map(x -> x + SYSREG128_SUFFIX).toList();
            }
            case FW:
                return id.index16() < FW_NAMES.length ? List.of(FW_NAMES[id.index16()]) : List.of();
            case FW_FEAT_BMAP:
                return id.index16() < BMAP_NAMES.length ? List.of(BMAP_NAMES[id.index16()]) : List.of();
            case CORE: {
                String n = CoreRegs.name(id);
                return n == null ? List.of() : List.of(CORE_PREFIX + n);
            }
            case DEMUX_CCSIDR:
                return List.of(demuxName((int) (id.value() & RegId.DEMUX_VAL_MASK)));
            case SVE:
                return sveName(id).map(List::of).orElse(List.of());
            case AARCH32_CP32:
            case AARCH32_CP64: {
                String n = Aarch32Names.name(id);
                return n == null ? List.of() : List.of(n);
            }
            default:
                return List.of();
        }
    }

    /** A note on timer IDs whose KVM meaning differs from the architectural encoding. */
    public Optional<String> timerNote(RegId id) {
        String[] t = TIMERS.get(id.value());
        return t == null ? Optional.empty() : Optional.of(t[1]);
    }

    /**
     * The encoding text: {@code S3_0_C2_C0_3}, {@code p15 c1 opc1=0 c0 opc2=0}, {@code fw reg 0},
     * {@code fw feat reg 3}, {@code core reg 0x46}, or the raw hex for unknown classes.
     */
    public String encoding(RegId id) {
        switch (id.regClass()) {
            case SYSREG:
            case SYSREG128:
                return id.sysregEncoding();
            case FW:
                return "fw reg " + id.index16();
            case FW_FEAT_BMAP:
                return "fw feat reg " + id.index16();
            case CORE:
                return String.format("core reg 0x%x", id.index16());
            case DEMUX_CCSIDR:
                return "demux CCSIDR csselr=" + (id.value() & RegId.DEMUX_VAL_MASK);
            case SVE:
                return String.format("sve reg 0x%x", id.index16());
            case AARCH32_CP32:
            case AARCH32_CP64:
                return Aarch32Names.encoding(id);
            default:
                return id.hex();
        }
    }

    /**
     * The register name as QEMU's {@code kvm_print_register_name()} prints it in its migration traces:
     * {@code op0:3 op1:0 crn:2 crm:0 op2:3}, {@code fw reg 0}, {@code fw feat reg 3}, {@code core reg 46}.
     */
    public String qemuTraceName(RegId id) {
        switch (id.regClass()) {
            case SYSREG:
                return "op0:" + id.op0() + " op1:" + id.op1() + " crn:" + id.crn() + " crm:" + id.crm() + " op2:" + id.op2();
            case FW:
                return "fw reg " + id.index16();
            case FW_FEAT_BMAP:
                return "fw feat reg " + id.index16();
            case CORE:
                return String.format("core reg %x", id.index16());
            default:
                return String.format("system register 0x%x", id.qemuCpregKey());
        }
    }

    private static Optional<String> sveName(RegId id) {
        int idx = id.index16();
        if (idx == RegId.SVE_VLS_INDEX) {
            return Optional.of("SVE_VLS");
        }
        int slice = idx & RegId.SVE_SLICE_MASK;
        int regno = (idx >>> RegId.SVE_REGNO_SHIFT) & 0x1f;
        String suffix = slice == 0 ? "" : "[" + slice + "]";
        if (idx < RegId.SVE_PREG_BASE) {
            return Optional.of("Z" + regno + suffix);
        }
        if (idx < RegId.SVE_FFR_BASE) {
            return regno < 16 ? Optional.of("P" + regno + suffix) : Optional.empty();
        }
        if (idx < RegId.SVE_FFR_BASE + 0x20) {
            return Optional.of("FFR" + suffix);
        }
        return Optional.empty();
    }

    /** IDs a name can denote (case-insensitive); more than one means the name is ambiguous. */
    public Set<RegId> lookup(String name) {
        Set<RegId> s = byName.get(name.toUpperCase(Locale.ROOT));
        return s == null ? Set.of() : s;
    }

    /** Every name the parser knows, for close-match suggestions. */
    public Set<String> allNames() {
        return Collections.unmodifiableSet(byName.keySet());
    }

    /** Known sysreg IDs and their names (for listings and tests). */
    public Map<RegId, List<String>> sysregTable() {
        Map<RegId, List<String>> m = new TreeMap<>();
        sysregNames.forEach((k, v) -> m.put(RegId.of(k), v));
        return m;
    }

    /** All names of an ID, including timer notes, for decode output. */
    public List<String> aliases(RegId id) {
        List<String> all = new ArrayList<>(names(id));
        if (!all.isEmpty()) {
            all.remove(0);
        }
        return all;
    }
}
