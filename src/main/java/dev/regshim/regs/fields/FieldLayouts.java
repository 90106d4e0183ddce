package dev.regshim.regs.fields;

import dev.regshim.regs.RegId;
import dev.regshim.regs.WellKnownRegs;
import dev.regshim.util.Tsv;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Register layouts from the bundled {@code sysreg-fields} tables (Linux 6.18.2): bit ranges from
 * {@code sysreg-fields.tsv} (with Fields/Mapping references already expanded), enum names from
 * {@code sysreg-enums.tsv}, safety rules and signedness from {@code ftr-bits.tsv} (with KVM's LOWER_SAFE treatment of
 * PMUVer, DebugVer and PerfMon, see {@link #KVM_LOWER_SAFE}). Bits a layout does not mention are
 * RES0. MIDR_EL1 and MPIDR_EL1 are defined in {@code sysreg.h}, not the sysreg file, so their architectural layouts
 * are built in here.
 */
final class FieldLayouts {

    static final String DATA = "/dev/regshim/data/sysreg-fields/";
    static final int REGISTER_BITS = Long.SIZE;

    /** A register's layout: every bit covered, fields ordered from the top bit down. */
    record Layout(String register, RegId encoding, List<FieldDef> fields) {
    }

    private record Rule(SafetyRule type, boolean signed) {
    }

    /**
     * Fields the host table marks EXACT but KVM's {@code arm64_check_features} compares as LOWER_SAFE for guests
     * (a lower PMU/debug version is a valid restriction of the vCPU), so a guest may move to a higher one.
     */
    static final java.util.Set<String> KVM_LOWER_SAFE = java.util.Set.of(
            "ID_AA64DFR0_EL1|11|8", "ID_AA64DFR0_EL1|3|0", "ID_DFR0_EL1|27|24");

    private static volatile FieldLayouts instance;

    private final Map<Long, Layout> byEncoding = new HashMap<>();
    private final Map<String, Layout> byName = new HashMap<>();

    private FieldLayouts() {
        Map<String, Map<Long, String>> enums = loadEnums();
        Map<String, Rule> rules = new HashMap<>();
        Map<String, RegId> encodings = new HashMap<>();
        Map<String, List<FieldDef>> fields = new HashMap<>();
        for (Map<String, String> r : Tsv.readResource(DATA + "ftr-bits.tsv")) {
            if (!r.get("msb").matches("\\d+")) {
                continue; // ftr_raz tables have no entries
            }
            encodings.putIfAbsent(r.get("register"), encoding(r.get("encoding")));
            String key = key(r.get("register"), r.get("msb"), r.get("lsb"));
            SafetyRule type = KVM_LOWER_SAFE.contains(key) ? SafetyRule.LOWER_SAFE : SafetyRule.valueOf(r.get("type"));
            rules.put(key, new Rule(type, "SIGNED".equals(r.get("sign"))));
        }
        for (Map<String, String> r : Tsv.readResource(DATA + "sysreg-fields.tsv")) {
            if (!"Sysreg".equals(r.get("block_type")) || r.get("kind").endsWith("-ref")) {
                continue;
            }
            String reg = r.get("register");
            encodings.putIfAbsent(reg, encoding(r.get("encoding")));
            Rule rule = rules.remove(key(reg, r.get("msb"), r.get("lsb")));
            FieldKind kind = kind(r.get("kind"));
            boolean signed = rule != null ? rule.signed() : "signed".equals(r.get("signedness"));
            fields.computeIfAbsent(reg, k -> new ArrayList<>()).add(new FieldDef(r.get("field"),
                    Integer.parseInt(r.get("msb")), Integer.parseInt(r.get("lsb")), kind, signed,
                    rule == null ? SafetyRule.NONE : rule.type(),
                    enums.getOrDefault(reg + "." + r.get("field"), Map.of())));
        }
        // ftr entries with no sysreg field of the same extent (CNTFRQ_EL0 is not in the sysreg file)
        rules.forEach((k, rule) -> {
            String[] p = k.split("\\|");
            fields.computeIfAbsent(p[0], x -> new ArrayList<>()).add(new FieldDef("[" + p[1] + ":" + p[2] + "]",
                    Integer.parseInt(p[1]), Integer.parseInt(p[2]), FieldKind.FIELD, rule.signed(), rule.type(), Map.of()));
        });
        builtIn(fields, encodings);
        fields.forEach((reg, list) -> {
            RegId enc = encodings.get(reg);
            if (enc != null) {
                Layout l = new Layout(reg, enc, complete(list));
                byEncoding.put(enc.value(), l);
                byName.put(reg, l);
            }
        });
    }

    static FieldLayouts get() {
        FieldLayouts f = instance;
        if (f == null) {
            synchronized (FieldLayouts.class) {
                f = instance;
                if (f == null) {
                    f = new FieldLayouts();
                    instance = f;
                }
            }
        }
        return f;
    }

    /** The layout of an AArch64 system register ID, when known. */
    Optional<Layout> layout(RegId sysreg) {
        return Optional.ofNullable(byEncoding.get(sysreg.value()));
    }

    int size() {
        return byEncoding.size();
    }

    /** The layout of a register by its architectural name ({@code ID_AA64MMFR3_EL1}), when known. */
    Optional<Layout> layout(String register) {
        return Optional.ofNullable(byName.get(register));
    }

    /** Sorts from the top bit down and fills every gap with RES0, so each bit belongs to exactly one field. */
    private static List<FieldDef> complete(List<FieldDef> defs) {
        List<FieldDef> sorted = new ArrayList<>(defs);
        sorted.sort(Comparator.comparingInt(FieldDef::msb).reversed());
        List<FieldDef> out = new ArrayList<>();
        int next = REGISTER_BITS - 1;
        for (FieldDef d : sorted) {
            if (d.msb() > next) {
                throw new IllegalStateException("bundled sysreg-fields: overlapping field " + d.name());
            }
            if (d.msb() < next) {
                out.add(res0(next, d.msb() + 1));
            }
            out.add(d);
            next = d.lsb() - 1;
        }
        if (next >= 0) {
            out.add(res0(next, 0));
        }
        return List.copyOf(out);
    }

    private static FieldDef res0(int msb, int lsb) {
        return new FieldDef("RES0", msb, lsb, FieldKind.RES0, false, SafetyRule.NONE, Map.of());
    }

    private static void builtIn(Map<String, List<FieldDef>> fields, Map<String, RegId> encodings) {
        encodings.put("MIDR_EL1", WellKnownRegs.MIDR_EL1);
        fields.put("MIDR_EL1", List.of(plain("Implementer", 31, 24), plain("Variant", 23, 20),
                plain("Architecture", 19, 16), plain("PartNum", 15, 4), plain("Revision", 3, 0)));
        encodings.put("MPIDR_EL1", WellKnownRegs.MPIDR_EL1);
        fields.put("MPIDR_EL1", List.of(plain("Aff3", 39, 32),
                new FieldDef("RES1", 31, 31, FieldKind.RES1, false, SafetyRule.NONE, Map.of()),
                plain("U", 30, 30), plain("MT", 24, 24), plain("Aff2", 23, 16), plain("Aff1", 15, 8), plain("Aff0", 7, 0)));
    }

    private static FieldDef plain(String name, int msb, int lsb) {
        return new FieldDef(name, msb, lsb, FieldKind.FIELD, false, SafetyRule.NONE, Map.of());
    }

    private static Map<String, Map<Long, String>> loadEnums() {
        Map<String, Map<Long, String>> out = new HashMap<>();
        for (Map<String, String> r : Tsv.readResource(DATA + "sysreg-enums.tsv")) {
            String dec = r.get("value_dec");
            if (dec == null || !dec.matches("\\d+")) {
                continue; // one malformed literal in the kernel source (0b0002), kept in the table with '?'
            }
            out.computeIfAbsent(r.get("register") + "." + r.get("field"), k -> new HashMap<>())
                    .putIfAbsent(Long.parseLong(dec), r.get("value_name"));
        }
        out.replaceAll((k, v) -> Map.copyOf(v));
        return out;
    }

    private static String key(String register, String msb, String lsb) {
        return register + "|" + msb + "|" + lsb;
    }

    /** {@code 3,0,0,6,1}; a trailing note such as {@code (from sysreg.h)} is ignored. */
    private static RegId encoding(String text) {
        String[] p = text.strip().split("\\s", 2)[0].split(",");
        return RegId.sysreg(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]),
                Integer.parseInt(p[3]), Integer.parseInt(p[4]));
    }

    private static FieldKind kind(String k) {
        switch (k) {
            case "Res0": return FieldKind.RES0;
            case "Res1": return FieldKind.RES1;
            case "Raz": return FieldKind.RAZ;
            case "Unkn": return FieldKind.UNKNOWN;
            default: return FieldKind.FIELD;
        }
    }
}
