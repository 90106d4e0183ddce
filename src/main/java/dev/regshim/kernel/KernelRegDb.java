package dev.regshim.kernel;

import dev.regshim.regs.RegId;
import dev.regshim.regs.RegSet;
import dev.regshim.util.Tsv;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The per-kernel {@code KVM_GET_REG_LIST} database, computed from the bundled tables of
 * {@code /dev/regshim/data/kvm-regs/}:
 * <ul>
 *   <li>{@code sys_reg_descs-v<version>.tsv}: every {@code sys_reg_descs[]} (and {@code invariant_sys_regs[]})
 *       entry with its {@code listed} flag and {@code .visibility} function, evaluated by {@link Visibility};</li>
 *   <li>{@code non-sysreg-components.tsv}: core, SVE, FW, FW_FEAT_BMAP, timer, invariant and DEMUX IDs with their
 *       condition and the versions they exist in;</li>
 *   <li>{@code visibility-conditions.tsv}: what each visibility function means (cross-checked by the tests).</li>
 * </ul>
 * Assembly follows {@code kvm_arm_copy_reg_indices()}: core, SVE, FW, timers, invariants, sys_regs, DEMUX. Where the
 * same ID comes from two places (timers in v6.18, invariants), the {@code sys_reg_descs} row names the source.
 *
 * <p>Derived versions ({@link KernelVersion.Source#DERIVED}) use their base tree's table with the rows of
 * {@code sys_reg_descs-deltas.tsv} for their deltas replacing or adding rows by ID; a component exists in them when it
 * exists in the base, or when its row names a first release at or before them. The inferred version (6.15) uses the
 * table of the closest earlier read version, and a component exists in it when the tables say it exists in both
 * neighbouring read versions, or when the component's row names a first release at or before it
 * ({@code first release v6.15}).
 */
public final class KernelRegDb {

    static final String DATA = "/dev/regshim/data/kvm-regs/";
    static final String COMPONENTS = DATA + "non-sysreg-components.tsv";
    static final String VISIBILITY = DATA + "visibility-conditions.tsv";
    static final String DELTAS = DATA + "sys_reg_descs-deltas.tsv";

    /** 7af0c2534f4c "KVM: arm64: Normalize cache configuration" (v6.3): all 14 CCSIDR IDs, whatever the host. */
    static final int DEMUX_NORMALISED_MAJOR = 6;
    static final int DEMUX_NORMALISED_MINOR = 3;
    /** {@code CSSELR_MAX}: CSSELR values 0..13 (7 levels, instruction/data bit). */
    static final int CSSELR_MAX = 14;
    /** CLIDR_EL1 Ctype<n> fields: 3 bits per level, 7 levels. */
    static final int CLIDR_CTYPE_BITS = 3;
    static final int CLIDR_CTYPE_MASK = 0x7;
    static final int CTYPE_NONE = 0;
    static final int CTYPE_INSTRUCTION = 1;
    static final int CTYPE_DATA = 2;
    static final int CTYPE_SEPARATE = 3;
    static final int CTYPE_UNIFIED = 4;

    private static final String ALL_VERSIONS = "all read versions";
    private static final Pattern VERSION_LIST = Pattern.compile("^v\\d+\\.\\d+(?:,v\\d+\\.\\d+)*");
    private static final Pattern FIRST_RELEASE = Pattern.compile("first release v(\\d+)\\.(\\d+)");
    private static final String LISTED = "yes";
    private static final String INVARIANT_TABLE = "invariant_sys_regs";

    private static volatile KernelRegDb instance;

    /** Rows of each known version's table (its tree's, or its base's with deltas), by version. */
    private final Map<String, List<SysRegRow>> tables = new HashMap<>();
    private final List<ComponentRow> components = new ArrayList<>();
    private final Map<KernelHost, KernelRegList> cache = new ConcurrentHashMap<>();

    record SysRegRow(RegId id, String name, String table, boolean listed, String visibility, String condition) {
    }

    record ComponentRow(Component component, RegId id, String name, String condition, Presence presence, String source) {
    }

    /** In which versions a component row exists, from its {@code versions} column. */
    record Presence(boolean all, List<KernelVersion> read, KernelVersion firstRelease) {

        static Presence parse(String text) {
            String t = text.strip();
            if (t.startsWith(ALL_VERSIONS)) {
                return new Presence(true, List.of(), null);
            }
            Matcher m = VERSION_LIST.matcher(t);
            if (!m.find()) {
                throw new IllegalStateException("bundled " + COMPONENTS + ": cannot read versions '" + text + "'");
            }
            List<KernelVersion> read = new ArrayList<>();
            for (String v : m.group().split(",")) {
                read.add(KernelVersion.parse(v));
            }
            Matcher f = FIRST_RELEASE.matcher(t);
            KernelVersion first = f.find()
                    ? KernelVersion.find(Integer.parseInt(f.group(1)), Integer.parseInt(f.group(2))).orElseThrow()
                    : null;
            return new Presence(false, List.copyOf(read), first);
        }

        boolean in(KernelVersion v) {
            if (all || read.contains(v)) {
                return true;
            }
            if (v.kind() == KernelVersion.Source.DERIVED) {
                return in(v.base()) || (firstRelease != null && v.compareTo(firstRelease) >= 0);
            }
            if (!v.inferred()) {
                return false;
            }
            if (firstRelease != null) {
                return v.compareTo(firstRelease) >= 0;
            }
            return read.contains(v.previousRead()) && read.contains(v.nextRead());
        }

        /** True when presence in an inferred version rests on a stated first release rather than the neighbours. */
        boolean byReleaseEvidence(KernelVersion v) {
            return v.inferred() && firstRelease != null && !all && !read.contains(v);
        }
    }

    private KernelRegDb() {
        Map<String, List<SysRegRow>> trees = new HashMap<>();
        List<Map<String, String>> deltas = Tsv.readResource(DELTAS);
        for (KernelVersion v : KernelVersion.known()) {
            List<SysRegRow> base = trees.computeIfAbsent(v.tableVersion(), KernelRegDb::loadTable);
            tables.put(v.toString(), v.deltas().isEmpty() ? base : withDeltas(base, deltas, v));
        }
        for (Map<String, String> row : Tsv.readResource(COMPONENTS)) {
            components.add(new ComponentRow(component(row.get("component")), id(row.get("kvm_id")), row.get("name"),
                    row.get("condition"), Presence.parse(row.get("versions")), row.get("source")));
        }
    }

    public static KernelRegDb get() {
        KernelRegDb db = instance;
        if (db == null) {
            synchronized (KernelRegDb.class) {
                db = instance;
                if (db == null) {
                    db = new KernelRegDb();
                    instance = db;
                }
            }
        }
        return db;
    }

    // --- public API ---

    /** Everything {@code KVM_GET_REG_LIST} returns for the version and features. */
    public static RegSet regList(KernelVersion version, KernelFeatures features) {
        return get().compute(new KernelHost(version, features)).regs();
    }

    /** What QEMU keeps in its cpreg list for the version and features (no CORE, no SVE). */
    public static RegSet cpregList(KernelVersion version, KernelFeatures features) {
        return get().compute(new KernelHost(version, features)).cpregs();
    }

    /** The full computed list, with the reason each register is listed. */
    public static KernelRegList listing(KernelHost host) {
        return get().compute(host);
    }

    /** Parses a spec such as {@code 6.13+pmu+sve-pauth} (the {@code kernel:} profile source) and computes it. */
    public static KernelRegList parseSpec(String spec) {
        return get().compute(KernelHost.parse(spec));
    }

    /**
     * Why {@code host} does not list {@code id}: the condition it is gated on there, or the versions that have it
     * when this one does not. Returns a listing's reason when the host does list it.
     */
    public static String explain(KernelHost host, RegId id) {
        return get().explainFor(host, id);
    }

    /** The visibility functions the bundled tables use, with their documented listing condition. */
    public static Map<String, String> visibilityConditions() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map<String, String> row : Tsv.readResource(VISIBILITY)) {
            out.merge(row.get("function"), row.get("listing_condition"), (a, b) -> a.equals(b) ? a : a + " | " + b);
        }
        return out;
    }

    // --- computation ---

    KernelRegList compute(KernelHost host) {
        return cache.computeIfAbsent(host, this::assemble);
    }

    private KernelRegList assemble(KernelHost host) {
        KernelVersion v = host.version();
        KernelFeatures f = host.visibleFeatures();
        Map<Long, RegListing> out = new LinkedHashMap<>();
        for (Component part : new Component[]{Component.CORE, Component.SVE, Component.FW, Component.FW_FEAT_BMAP, Component.TIMER}) {
            for (ComponentRow row : components) {
                if (row.component() == part && row.presence().in(v) && componentListed(row, f)) {
                    out.put(row.id().value(), componentListing(row, v));
                }
            }
        }
        for (SysRegRow row : tables.get(v.toString())) {
            if (row.listed() && Visibility.listed(row.visibility(), f)) {
                Component c = row.table().equals(INVARIANT_TABLE) ? Component.INVARIANT : Component.SYS_REG_DESCS;
                // the sys_reg_descs row is the more specific source for IDs also named by a component row (v6.18 timers)
                out.put(row.id().value(), new RegListing(row.id(), c, row.table(), row.visibility(), row.condition(),
                        v.inferred(), ""));
            }
        }
        for (ComponentRow row : components) {
            if (row.component() == Component.INVARIANT && row.presence().in(v)) {
                out.putIfAbsent(row.id().value(), componentListing(row, v));
            }
        }
        for (ComponentRow row : components) {
            if (row.component() == Component.DEMUX && row.presence().in(v)) {
                demuxListing(row, v, f).ifPresent(l -> out.put(row.id().value(), l));
            }
        }
        return new KernelRegList(host, out);
    }

    private static boolean componentListed(ComponentRow row, KernelFeatures f) {
        String c = row.condition().strip();
        if (c.equals("always")) {
            return true;
        }
        if (c.startsWith("!vcpu.SVE")) {
            return !f.has(KernelFeature.SVE);
        }
        if (c.startsWith("vcpu.SVE")) {
            return f.has(KernelFeature.SVE);
        }
        throw new IllegalStateException("bundled " + COMPONENTS + ": unknown condition '" + c + "' for " + row.id());
    }

    private static RegListing componentListing(ComponentRow row, KernelVersion v) {
        String note = row.presence().byReleaseEvidence(v)
                ? "first released in " + row.presence().firstRelease() + " per upstream release evidence; not read"
                : "";
        return new RegListing(row.id(), row.component(), row.component().source(), "-", row.condition().strip(), v.inferred(), note);
    }

    private static Optional<RegListing> demuxListing(ComponentRow row, KernelVersion v, KernelFeatures f) {
        int csselr = (int) (row.id().value() & RegId.DEMUX_VAL_MASK);
        if (v.atLeast(DEMUX_NORMALISED_MAJOR, DEMUX_NORMALISED_MINOR)) {
            return Optional.of(new RegListing(row.id(), Component.DEMUX, Component.DEMUX.source(), "-",
                    "always (all 14 since v6.3)", v.inferred(), ""));
        }
        if (!hostCacheExists(csselr, f.hostClidr())) {
            return Optional.empty();
        }
        return Optional.of(new RegListing(row.id(), Component.DEMUX, Component.DEMUX.source(), "-",
                String.format("host CLIDR_EL1 0x%x has this cache (is_valid_cache, before v6.3)", f.hostClidr()),
                v.inferred(), f.hostClidr() == KernelFeatures.DEFAULT_HOST_CLIDR ? "default; set +clidr=HEX" : ""));
    }

    /** v6.1 {@code is_valid_cache()}: does the host CLIDR_EL1 describe the cache this CSSELR value selects? */
    public static boolean hostCacheExists(int csselr, long clidr) {
        if (csselr < 0 || csselr >= CSSELR_MAX) {
            return false;
        }
        boolean instruction = (csselr & 1) != 0;
        int level = csselr >> 1;
        int ctype = (int) ((clidr >>> (level * CLIDR_CTYPE_BITS)) & CLIDR_CTYPE_MASK);
        switch (ctype) {
            case CTYPE_INSTRUCTION:
                return instruction;
            case CTYPE_DATA:
            case CTYPE_UNIFIED:
                return !instruction;
            case CTYPE_SEPARATE:
                return true;
            case CTYPE_NONE:
            default:
                return false;
        }
    }

    private String explainFor(KernelHost host, RegId id) {
        KernelRegList list = compute(host);
        Optional<RegListing> l = list.listing(id);
        if (l.isPresent()) {
            return "listed: " + l.get().why();
        }
        KernelVersion v = host.version();
        for (SysRegRow row : tables.get(v.toString())) {
            if (row.id().equals(id) && row.listed() && !Visibility.listed(row.visibility(), host.visibleFeatures())) {
                if (Visibility.NEVER.contains(row.visibility())) {
                    return "never listed by " + v.label() + " (" + row.visibility() + ": " + row.condition() + ")";
                }
                if (host.hidesPoe() && Visibility.listed(row.visibility(), host.features())) {
                    return "listed only when " + row.condition() + " (" + row.visibility() + "); " + host.release()
                            + " built without CONFIG_ARM64_POE (+nopoe) clears ID_AA64MMFR3_EL1.S1POE for its guests";
                }
                return "listed only when " + row.condition() + " (" + row.visibility() + "); "
                        + host.spec() + " lacks " + Visibility.missing(row.visibility(), host.visibleFeatures());
            }
        }
        for (ComponentRow row : components) {
            if (row.id().equals(id) && row.presence().in(v)) {
                return "listed only when " + row.condition().strip() + "; " + host.spec() + " does not meet that";
            }
        }
        List<KernelVersion> having = new ArrayList<>();
        for (KernelVersion k : KernelVersion.known()) {
            if (knows(k, id)) {
                having.add(k);
            }
        }
        if (having.isEmpty()) {
            return "no kernel version regshim knows lists it";
        }
        KernelVersion first = having.get(0);
        KernelVersion last = having.get(having.size() - 1);
        String where;
        if (first.compareTo(v) > 0) {
            where = "first listed in " + first.label() + firstRead(having, first);
        } else if (last.compareTo(v) < 0) {
            where = "last listed in " + last.label();
        } else {
            where = "listed in " + having.stream().map(KernelVersion::label).collect(Collectors.joining(", "));
        }
        return "not in KVM " + v.label() + " (" + where + ")";
    }

    private static String firstRead(List<KernelVersion> having, KernelVersion first) {
        if (!first.inferred()) {
            return "";
        }
        return having.stream().filter(k -> !k.inferred()).findFirst().map(k -> k.kind() == KernelVersion.Source.TREE
                ? ", first read in the " + k + " tree" : ", first observed in " + k).orElse("");
    }

    /** Whether version {@code k} lists the ID for some feature set. */
    private boolean knows(KernelVersion k, RegId id) {
        for (SysRegRow row : tables.get(k.toString())) {
            if (row.id().equals(id) && row.listed() && !Visibility.NEVER.contains(row.visibility())) {
                return true;
            }
        }
        for (ComponentRow row : components) {
            if (row.id().equals(id) && row.presence().in(k)) {
                return true;
            }
        }
        return false;
    }

    // --- loading ---

    private static List<SysRegRow> loadTable(String version) {
        List<SysRegRow> rows = new ArrayList<>();
        for (Map<String, String> r : Tsv.readResource(DATA + "sys_reg_descs-v" + version + ".tsv")) {
            rows.add(row(r, "sys_reg_descs-v" + version + ".tsv"));
        }
        return List.copyOf(rows);
    }

    private static SysRegRow row(Map<String, String> r, String file) {
        String fn = r.get("visibility_fn").strip();
        boolean listed = r.get("listed").strip().equals(LISTED);
        if (listed && !Visibility.isKnown(fn)) {
            throw new IllegalStateException("bundled " + file + ": unknown visibility function " + fn);
        }
        return new SysRegRow(id(r.get("kvm_id")), r.get("name"), r.get("table"), listed, fn, r.get("condition").strip());
    }

    /** The base rows with every delta row of {@code v}'s deltas replacing the row of the same ID, or added. */
    private static List<SysRegRow> withDeltas(List<SysRegRow> base, List<Map<String, String>> deltas, KernelVersion v) {
        Map<Long, SysRegRow> byId = new LinkedHashMap<>();
        base.forEach(r -> byId.put(r.id().value(), r));
        for (Map<String, String> d : deltas) {
            if (v.deltas().contains(d.get("delta").strip())) {
                SysRegRow r = row(d, "sys_reg_descs-deltas.tsv");
                byId.put(r.id().value(), r);
            }
        }
        return List.copyOf(byId.values());
    }

    /** The rows of one version's table (for tests and data checks). */
    List<SysRegRow> table(KernelVersion v) {
        return tables.get(v.toString());
    }

    List<ComponentRow> components() {
        return List.copyOf(components);
    }

    private static RegId id(String hex) {
        String h = hex.strip().toLowerCase(Locale.ROOT);
        if (!h.startsWith("0x")) {
            throw new IllegalStateException("bundled kvm-regs data: bad ID '" + hex + "'");
        }
        return RegId.of(Long.parseUnsignedLong(h.substring(2), 16));
    }

    private static Component component(String name) {
        switch (name.strip()) {
            case "core": return Component.CORE;
            case "sve": return Component.SVE;
            case "fw": return Component.FW;
            case "fw_feat_bmap": return Component.FW_FEAT_BMAP;
            case "timer": return Component.TIMER;
            case "invariant_or_id": return Component.INVARIANT;
            case "demux": return Component.DEMUX;
            default: throw new IllegalStateException("bundled " + COMPONENTS + ": unknown component " + name);
        }
    }
}
