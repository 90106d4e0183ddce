package dev.regshim.regs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns whatever a user pastes into a {@link RegId}:
 * <ul>
 *   <li>a hex ID ({@code 0x603000000013c103}, {@code 603000000013c103}, underscores allowed);</li>
 *   <li>a name ({@code TCR2_EL1}, {@code KVM_REG_ARM_VENDOR_HYP_BMAP_2}, {@code VENDOR_HYP_BMAP_2}, {@code core.PC},
 *       {@code CCSIDR[2]}, {@code Z0}, AArch32 {@code SCTLR} / {@code SCTLR_S});</li>
 *   <li>an encoding ({@code S3_0_C2_C0_3}, {@code p15 c1 opc1=0 c0 opc2=0}, {@code p15 opc1=0 c2 (64-bit)});</li>
 *   <li>QEMU's trace format ({@code op0:3 op1:0 crn:2 crm:0 op2:3}, {@code fw reg 0}, {@code fw feat reg 3},
 *       {@code system register 0x1013c103});</li>
 *   <li>C expressions as the kernel and its selftest write them ({@code ARM64_SYS_REG(3, 0, 2, 0, 3)},
 *       {@code KVM_REG_ARM_FW_FEAT_BMAP_REG(3)}, {@code SYS_REG(TCR2_EL1)},
 *       {@code KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(regs.pc)}).</li>
 * </ul>
 * Unknown or ambiguous input raises {@link RegParseException} naming close matches or the candidates.
 */
public final class RegParser {

    private static final Pattern HEX = Pattern.compile("(?i)(?:0x)?([0-9a-f_]{1,23})");
    private static final Pattern S_ENCODING = Pattern.compile("(?i)S([0-3])_([0-7])_C(\\d{1,2})_C(\\d{1,2})_([0-7])");
    private static final Pattern TRACE = Pattern.compile(
            "(?i)op0:\\s*(\\d+)\\s+op1:\\s*(\\d+)\\s+crn:\\s*(\\d+)\\s+crm:\\s*(\\d+)\\s+op2:\\s*(\\d+)");
    private static final Pattern FW_TRACE = Pattern.compile("(?i)fw\\s+(feat\\s+)?reg\\s+(\\d+)");
    private static final Pattern CPREG_KEY = Pattern.compile("(?i)system\\s+register\\s+0x([0-9a-f]{1,8})");
    private static final Pattern CPREG_KEY_IN_LINE = Pattern.compile("system register 0x([0-9a-fA-F]{1,8})\\b");
    private static final Pattern TRACE_IN_LINE = Pattern.compile(
            "op0:(\\d{1,2}) op1:(\\d{1,2}) crn:(\\d{1,2}) crm:(\\d{1,2}) op2:(\\d{1,2})");
    private static final Pattern FW_IN_LINE = Pattern.compile("\\bfw (feat )?reg (\\d{1,6})\\b");
    private static final Pattern LONG_HEX_IN_LINE = Pattern.compile("\\b0x([4-7][0-9a-fA-F]{15})\\b");
    private static final Pattern CALL = Pattern.compile("([A-Za-z0-9_]+)\\s*\\((.*)\\)");
    private static final Pattern CP32 = Pattern.compile(
            "(?i)p(\\d{1,2})\\s+c(\\d{1,2})\\s+opc1=(\\d)\\s+c(\\d{1,2})\\s+opc2=(\\d)(\\s*\\(S\\))?");
    private static final Pattern CP64 = Pattern.compile("(?i)p(\\d{1,2})\\s+opc1=(\\d)\\s+c(\\d{1,2})\\s*\\(64-bit\\)(\\s*\\(S\\))?");
    private static final Pattern CORE_FIELD = Pattern.compile(
            "(?:regs\\.regs\\[(\\d+)]|regs\\.sp|regs\\.pc|regs\\.pstate|sp_el1|elr_el1|spsr\\[(\\d)]|fp_regs\\.vregs\\[(\\d+)]"
                    + "|fp_regs\\.fpsr|fp_regs\\.fpcr)");

    private RegParser() {
    }

    /** Parses one register; throws {@link RegParseException} with close matches when it cannot. */
    public static RegId parse(String input) {
        String s = input == null ? "" : input.strip();
        if (s.endsWith(",")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        if (s.isEmpty()) {
            throw new RegParseException("empty register name");
        }
        RegId r;
        try {
            r = tryParse(s);
        } catch (IllegalArgumentException e) { // a field out of range (op2 200): RegId's own check, said as input
            throw new RegParseException("'" + s + "': " + e.getMessage());
        }
        if (r != null) {
            return r;
        }
        throw unknown(input, s);
    }

    /**
     * Every register the input can stand for: one, or two for a cpreg key QEMU prints for both banks of an AArch32
     * register ({@code 0x200f3a00}: PAR and PAR_S, {@link CpregKey#printedAs}). A whole QEMU log line that names a
     * register ({@code handle_cpreg_only_in_incoming_stream: system register 0x200f3a00 in the incoming stream ...})
     * is read for the register it names.
     */
    public static List<RegId> parseAll(String input) {
        String s = input == null ? "" : input.strip();
        Integer key = cpregKey(s);
        if (key != null) {
            return CpregKey.printedAs(key);
        }
        try {
            return List.of(parse(input));
        } catch (RegParseException e) {
            List<RegId> inLine = findInLine(s);
            if (inLine.isEmpty()) {
                throw e;
            }
            return inLine;
        }
    }

    /** The cpreg key a whole input gives ({@code system register 0x200f3a00}, {@code 0x200f3a00}), or null. */
    private static Integer cpregKey(String s) {
        Matcher m = CPREG_KEY.matcher(s);
        if (m.matches()) {
            return (int) Long.parseLong(m.group(1), 16);
        }
        m = HEX.matcher(s);
        if (m.matches() && s.toLowerCase(Locale.ROOT).startsWith("0x")) {
            String digits = m.group(1).replace("_", "");
            if (!digits.isEmpty() && digits.length() <= 8) {
                return (int) Long.parseLong(digits, 16);
            }
        }
        return null;
    }

    /**
     * The registers a line of QEMU output names, in any of the forms QEMU prints (cpreg key, KVM field printer,
     * firmware register, a full 64-bit ID); empty when it names none. Linear in the line's length.
     */
    public static List<RegId> findInLine(String line) {
        Matcher m = CPREG_KEY_IN_LINE.matcher(line);
        if (m.find()) {
            return CpregKey.printedAs((int) Long.parseLong(m.group(1), 16));
        }
        m = TRACE_IN_LINE.matcher(line);
        if (m.find()) {
            try {
                return List.of(RegId.sysreg(i(m, 1), i(m, 2), i(m, 3), i(m, 4), i(m, 5)));
            } catch (IllegalArgumentException e) {
                return List.of();
            }
        }
        m = FW_IN_LINE.matcher(line);
        if (m.find()) {
            int n = Integer.parseInt(m.group(2));
            return n > 0xffff ? List.of() : List.of(m.group(1) != null ? RegId.fwFeatBmap(n) : RegId.fw(n));
        }
        m = LONG_HEX_IN_LINE.matcher(line);
        if (m.find()) {
            return List.of(RegId.of(Long.parseUnsignedLong(m.group(1), 16)));
        }
        return List.of();
    }

    private static RegId tryParse(String s) {
        long canonical = canonicalHex(s);
        if (canonical != -1) { // no pattern below matches this form but HEX: its answer, without the walk
            return CpregKey.isKey(canonical) ? CpregKey.toKvmId((int) canonical) : RegId.of(canonical);
        }
        Matcher m;
        if (s.contains("|")) {
            return parseOrExpression(s);
        }
        if ((m = S_ENCODING.matcher(s)).matches()) {
            return RegId.sysreg(i(m, 1), i(m, 2), i(m, 3), i(m, 4), i(m, 5));
        }
        if ((m = TRACE.matcher(s)).matches()) {
            return RegId.sysreg(i(m, 1), i(m, 2), i(m, 3), i(m, 4), i(m, 5));
        }
        if ((m = FW_TRACE.matcher(s)).matches()) {
            int n = i(m, 2);
            return m.group(1) != null ? RegId.fwFeatBmap(n) : RegId.fw(n);
        }
        if ((m = CPREG_KEY.matcher(s)).matches()) {
            return CpregKey.toKvmId((int) Long.parseLong(m.group(1), 16));
        }
        if ((m = CP32.matcher(s)).matches()) {
            return RegId.aarch32(false, m.group(6) == null, i(m, 1), i(m, 2), i(m, 4), i(m, 3), i(m, 5));
        }
        if ((m = CP64.matcher(s)).matches()) {
            return RegId.aarch32(true, m.group(4) == null, i(m, 1), 0, i(m, 3), i(m, 2), 0);
        }
        if ((m = CALL.matcher(s)).matches()) {
            return parseCall(m.group(1), m.group(2), s);
        }
        Set<RegId> named = RegCatalog.get().lookup(s);
        if (named.size() == 1) {
            return named.iterator().next();
        }
        if (named.size() > 1) {
            throw ambiguous(s, named);
        }
        if ((m = HEX.matcher(s)).matches() && (s.toLowerCase(Locale.ROOT).startsWith("0x") || m.group(1).replace("_", "").length() == 16)) {
            String digits = m.group(1).replace("_", "");
            if (digits.isEmpty() || digits.length() > 16) {
                return null;
            }
            long v = Long.parseUnsignedLong(digits, 16);
            return CpregKey.isKey(v) ? CpregKey.toKvmId((int) v) : RegId.of(v);
        }
        return null;
    }

    /**
     * The value of the form lists and profiles are written in, {@code 0x} and 16 ASCII hex digits; -1 for any other
     * text (-1 itself, 0xffffffffffffffff, is no register: it then takes the long way and is refused there).
     */
    private static long canonicalHex(String s) {
        if (s.length() != 18 || s.charAt(0) != '0' || (s.charAt(1) != 'x' && s.charAt(1) != 'X')) {
            return -1;
        }
        long v = 0;
        for (int i = 2; i < 18; i++) {
            char c = s.charAt(i);
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) {
                return -1;
            }
            v = v << 4 | d;
        }
        return v;
    }

    private static RegId parseCall(String fn, String argText, String whole) {
        String f = fn.toUpperCase(Locale.ROOT);
        List<Integer> args = new ArrayList<>();
        String[] parts = argText.split(",");
        boolean numeric = true;
        for (String p : parts) {
            String t = p.strip();
            try {
                args.add(t.toLowerCase(Locale.ROOT).startsWith("0x") ? Integer.parseInt(t.substring(2), 16) : Integer.parseInt(t));
            } catch (NumberFormatException e) {
                numeric = false;
            }
        }
        try {
            switch (f) {
                case "ARM64_SYS_REG":
                case "KVM_ARM64_SYS_REG":
                    if (numeric && args.size() == 5) {
                        return RegId.sysreg(args.get(0), args.get(1), args.get(2), args.get(3), args.get(4));
                    }
                    return byName(argText.strip().replaceFirst("^SYS_", ""), whole);
                case "SYS_REG":
                    return byName(argText.strip().replaceFirst("^SYS_", ""), whole);
                case "KVM_REG_ARM_FW_REG":
                    return numeric && args.size() == 1 ? RegId.fw(args.get(0)) : null;
                case "KVM_REG_ARM_FW_FEAT_BMAP_REG":
                    return numeric && args.size() == 1 ? RegId.fwFeatBmap(args.get(0)) : null;
                case "KVM_REG_ARM64_SVE_ZREG":
                    return numeric && args.size() == 2 ? RegCatalog.sveZ(args.get(0), args.get(1)) : null;
                case "KVM_REG_ARM64_SVE_PREG":
                    return numeric && args.size() == 2 ? RegCatalog.sveP(args.get(0), args.get(1)) : null;
                case "KVM_REG_ARM64_SVE_FFR":
                    return numeric && args.size() == 1
                            ? RegId.of(RegCatalog.sveP(0, 0).value() - RegId.SVE_PREG_BASE + RegId.SVE_FFR_BASE + args.get(0))
                            : null;
                case "KVM_REG_ARM_CORE_REG":
                    return coreFromField(argText.strip());
                default:
                    return null;
            }
        } catch (IllegalArgumentException e) {
            throw new RegParseException("'" + whole + "': " + e.getMessage());
        }
    }

    private static RegId byName(String name, String whole) {
        Set<RegId> ids = RegCatalog.get().lookup(name);
        if (ids.size() == 1) {
            return ids.iterator().next();
        }
        if (ids.size() > 1) {
            throw ambiguous(whole, ids);
        }
        return null;
    }

    /** A core register from its {@code struct kvm_regs} field, with the size that field has. */
    private static RegId coreFromField(String field) {
        Matcher m = CORE_FIELD.matcher(field);
        if (!m.matches()) {
            return null;
        }
        if (m.group(1) != null) {
            return RegId.core(RegId.SIZE_U64, CoreRegs.X0 + 2 * Integer.parseInt(m.group(1)));
        }
        if (m.group(2) != null) {
            return RegId.core(RegId.SIZE_U64, CoreRegs.SPSR0 + 2 * Integer.parseInt(m.group(2)));
        }
        if (m.group(3) != null) {
            return RegId.core(RegId.SIZE_U128, CoreRegs.V0 + 4 * Integer.parseInt(m.group(3)));
        }
        switch (field) {
            case "regs.sp": return RegId.core(RegId.SIZE_U64, CoreRegs.SP);
            case "regs.pc": return RegId.core(RegId.SIZE_U64, CoreRegs.PC);
            case "regs.pstate": return RegId.core(RegId.SIZE_U64, CoreRegs.PSTATE);
            case "sp_el1": return RegId.core(RegId.SIZE_U64, CoreRegs.SP_EL1);
            case "elr_el1": return RegId.core(RegId.SIZE_U64, CoreRegs.ELR_EL1);
            case "fp_regs.fpsr": return RegId.core(RegId.SIZE_U32, CoreRegs.FPSR);
            case "fp_regs.fpcr": return RegId.core(RegId.SIZE_U32, CoreRegs.FPCR);
            default: return null;
        }
    }

    private static final Map<String, Long> OR_CONSTANTS = Map.ofEntries(
            Map.entry("KVM_REG_ARM64", RegId.ARCH_ARM64),
            Map.entry("KVM_REG_ARM", RegId.ARCH_ARM),
            Map.entry("KVM_REG_SIZE_U8", 0L),
            Map.entry("KVM_REG_SIZE_U16", 1L << RegId.SIZE_SHIFT),
            Map.entry("KVM_REG_SIZE_U32", RegId.SIZE_U32),
            Map.entry("KVM_REG_SIZE_U64", RegId.SIZE_U64),
            Map.entry("KVM_REG_SIZE_U128", RegId.SIZE_U128),
            Map.entry("KVM_REG_SIZE_U256", RegId.SIZE_U256),
            Map.entry("KVM_REG_SIZE_U512", RegId.SIZE_U512),
            Map.entry("KVM_REG_SIZE_U1024", 7L << RegId.SIZE_SHIFT),
            Map.entry("KVM_REG_SIZE_U2048", RegId.SIZE_U2048),
            Map.entry("KVM_REG_ARM_CORE", (long) RegId.COPROC_CORE << RegId.COPROC_SHIFT),
            Map.entry("KVM_REG_ARM_DEMUX", (long) RegId.COPROC_DEMUX << RegId.COPROC_SHIFT),
            Map.entry("KVM_REG_ARM_DEMUX_ID_CCSIDR", 0L),
            Map.entry("KVM_REG_ARM64_SYSREG", (long) RegId.COPROC_SYSREG << RegId.COPROC_SHIFT),
            Map.entry("KVM_REG_ARM_FW", (long) RegId.COPROC_FW << RegId.COPROC_SHIFT),
            Map.entry("KVM_REG_ARM64_SVE", (long) RegId.COPROC_SVE << RegId.COPROC_SHIFT),
            Map.entry("KVM_REG_ARM_FW_FEAT_BMAP", (long) RegId.COPROC_FW_FEAT_BMAP << RegId.COPROC_SHIFT));

    /** {@code A | B | C} as the selftest prints it: each term is a constant, a number or a macro call. */
    private static RegId parseOrExpression(String s) {
        long v = 0;
        for (String term : s.split("\\|")) {
            String t = term.strip();
            Long c = OR_CONSTANTS.get(t.toUpperCase(Locale.ROOT));
            if (c != null) {
                v |= c;
                continue;
            }
            Matcher m = CALL.matcher(t);
            if (m.matches() && m.group(1).equals("KVM_REG_ARM_CORE_REG")) {
                RegId core = coreFromField(m.group(2).strip());
                if (core == null) {
                    return null;
                }
                v |= core.index16();
                continue;
            }
            try {
                v |= t.toLowerCase(Locale.ROOT).startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
                continue;
            } catch (NumberFormatException e) {
                // not a number
            }
            RegId sub = tryParse(t);
            if (sub == null) {
                return null;
            }
            v |= sub.value();
        }
        return RegId.of(v);
    }

    private static int i(Matcher m, int g) {
        String digits = m.group(g);
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw new RegParseException("number '" + digits + "' is out of range");
        }
    }

    private static RegParseException ambiguous(String input, Set<RegId> ids) {
        RegCatalog cat = RegCatalog.get();
        String options = ids.stream()
                .map(id -> id.hex() + " (" + cat.name(id) + ", " + cat.encoding(id) + ")")
                .collect(Collectors.joining(" or "));
        return new RegParseException("'" + input + "' is ambiguous: " + options + "; give the hex ID or the full name");
    }

    private static RegParseException unknown(String input, String s) {
        List<String> close = closeMatches(s, 5);
        String hint = close.isEmpty() ? "" : "; did you mean " + String.join(", ", close) + "?";
        return new RegParseException("unknown register '" + input.strip() + "'" + hint);
    }

    /** Known names closest to {@code s} by edit distance (case-insensitive), best first. */
    public static List<String> closeMatches(String s, int max) {
        String q = s.toUpperCase(Locale.ROOT);
        int limit = Math.max(2, q.length() / 3);
        record Scored(String name, int d) {
        }
        List<Scored> scored = new ArrayList<>();
        for (String n : RegCatalog.get().allNames()) {
            int d = n.startsWith(q) || q.startsWith(n) ? Math.abs(n.length() - q.length()) : distance(q, n, limit);
            if (d <= limit) {
                scored.add(new Scored(n, d));
            }
        }
        scored.sort(Comparator.comparingInt(Scored::d).thenComparing(Scored::name));
        return scored.stream().limit(max).map(Scored::name).collect(Collectors.toList());
    }

    /** Levenshtein distance, giving up (returning limit+1) once it exceeds {@code limit}. */
    static int distance(String a, String b, int limit) {
        if (Math.abs(a.length() - b.length()) > limit) {
            return limit + 1;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            int rowMin = cur[0];
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                rowMin = Math.min(rowMin, cur[j]);
            }
            if (rowMin > limit) {
                return limit + 1;
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
