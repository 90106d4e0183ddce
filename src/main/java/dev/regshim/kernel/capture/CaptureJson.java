package dev.regshim.kernel.capture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.regshim.kernel.KernelFeature;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;
import dev.regshim.util.JsonInput;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The capture file, {@value #FORMAT}: what {@code regshim kernel capture} writes and every command that takes a
 * profile reads. IDs and values are {@code "0x..."} strings (IDs {@code 0x%016x}, values at the register's full width);
 * names are for readers and ignored on input, like the derived fields {@code count}, {@code cpreg_list},
 * {@code spec} and {@code default_set}.
 *
 * <pre>
 * {"format": "regshim-kvm-capture/1",
 *  "kernel": {"release": "7.3.4+deb13-arm64", "uname_version": "#1 SMP ...", "upstream": "7.3.4", "origin": "debian",
 *             "package": "linux-binary-7.3.4+deb13-arm64", "package_version": "7.3.4-1~bpo13+1",
 *             "suite": "trixie-backports", "sha256": "...", "config": {"CONFIG_ARM64_POE": "y", ...}},
 *  "host": {"qemu": "11.1.3", "cpu": "max", "machine": "virt,virtualization=on,gic-version=3,mte=on", "midr": "0x..."},
 *  "boot": "console=ttyAMA0 ...",
 *  "caps": {"PMU_V3": 1, "SVE": 1, ...},
 *  "default_set": "pmu+sve+pauth",
 *  "sets": [{"name": "pmu", "features": ["pmu"], "target": 5, "count": 337, "spec": "7.3.4+pmu+...",
 *            "registers": [{"id": "0x6030000000100000", "name": "X0", "value": "0x0000000000000000"}, ...],
 *            "writable_masks": {"8": "0x00000000ffffffff", ...}, "cpreg_list": ["0x..."]},
 *           {"name": "pmu+el2", "features": ["pmu", "el2"], "refused": {"step": "init", "errno": 22}}],
 *  "trials": [{"label": "6.18.15 pmu+sve+pauth", "set": "pmu+sve+pauth",
 *              "writes": [{"id": "0x...", "name": "ID_AA64MMFR2_EL1", "value": "0x...", "errno": 22}, ...]}]}
 * </pre>
 */
public final class CaptureJson {

    public static final String FORMAT = "regshim-kvm-capture/1";
    public static final long MAX_FILE_BYTES = 32L << 20;
    static final int MAX_SETS = 64;
    static final int MAX_REGISTERS = 8192;
    static final int MAX_TEXT = 4096;
    /** U2048, the widest register KVM defines: 512 hex digits. */
    static final int MAX_VALUE_DIGITS = 512;

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private CaptureJson() {
    }

    public static boolean isCapture(byte[] head) {
        String s = new String(head, java.nio.charset.StandardCharsets.UTF_8);
        return s.contains("\"" + FORMAT + "\"");
    }

    // --- writing ---

    public static ObjectNode toJson(KvmCapture c, java.util.function.Function<CapturedSet, String> specOf) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("format", FORMAT);
        ObjectNode k = o.putObject("kernel");
        KvmCapture.Kernel kernel = c.kernel();
        k.put("release", kernel.release());
        putIf(k, "uname_version", kernel.unameVersion());
        putIf(k, "upstream", kernel.upstream());
        k.put("origin", kernel.origin());
        putIf(k, "package", kernel.packageName());
        putIf(k, "package_version", kernel.packageVersion());
        putIf(k, "suite", kernel.suite());
        putIf(k, "sha256", kernel.sha256());
        ObjectNode cfg = k.putObject("config");
        kernel.config().forEach(cfg::put);
        ObjectNode h = o.putObject("host");
        h.put("qemu", c.host().qemuVersion());
        h.put("cpu", c.host().cpu());
        h.put("machine", c.host().machine());
        putIf(h, "midr", c.host().midr());
        o.put("boot", c.bootArguments());
        ObjectNode caps = o.putObject("caps");
        c.caps().forEach(caps::put);
        c.cpuHostDefault().ifPresent(d -> o.put("default_set", d.name()));
        ArrayNode sets = o.putArray("sets");
        RegCatalog cat = RegCatalog.get();
        for (CapturedSet s : c.sets()) {
            ObjectNode sn = sets.addObject();
            sn.put("name", s.name());
            ArrayNode f = sn.putArray("features");
            s.features().forEach(x -> f.add(x.specName()));
            if (!s.offered()) {
                sn.putObject("refused").put("step", s.refusal().step()).put("errno", s.refusal().errno());
                continue;
            }
            sn.put("target", s.target());
            sn.put("count", s.size());
            String spec = specOf.apply(s);
            if (spec != null) {
                sn.put("spec", spec);
            }
            ArrayNode regs = sn.putArray("registers");
            for (int i = 0; i < s.size(); i++) {
                RegId id = RegId.of(s.id(i));
                ObjectNode r = regs.addObject().put("id", id.hex()).put("name", cat.name(id));
                if (s.valueAt(i) != null) {
                    r.put("value", "0x" + s.valueAt(i));
                } else {
                    r.put("errno", s.readErrnoAt(i));
                }
            }
            ObjectNode m = sn.putObject("writable_masks");
            s.masks().forEach((idx, mask) -> m.put(Integer.toString(idx), String.format("0x%016x", mask)));
            ArrayNode cp = sn.putArray("cpreg_list");
            s.cpregs().forEach(id -> cp.add(id.hex()));
        }
        if (!c.trials().isEmpty()) {
            ArrayNode trials = o.putArray("trials");
            for (ValueTrial t : c.trials()) {
                ObjectNode tn = trials.addObject().put("label", t.label()).put("set", t.set());
                ArrayNode en = tn.putArray("writes");
                for (ValueTrial.Entry e : t.entries()) {
                    en.addObject().put("id", RegId.of(e.id()).hex()).put("name", cat.name(RegId.of(e.id())))
                            .put("value", String.format("0x%016x", e.value())).put("errno", e.errno());
                }
            }
        }
        return o;
    }

    public static String write(KvmCapture c, java.util.function.Function<CapturedSet, String> specOf) {
        try {
            return MAPPER.writeValueAsString(toJson(c, specOf)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putIf(ObjectNode o, String k, String v) {
        if (v != null) {
            o.put(k, v);
        }
    }

    // --- reading ---

    private static final Set<String> TOP = Set.of("format", "kernel", "host", "boot", "caps", "default_set", "sets",
            "trials");
    private static final Set<String> TRIAL = Set.of("label", "set", "writes");
    private static final Set<String> WRITE = Set.of("id", "name", "value", "errno");
    private static final Set<String> KERNEL = Set.of("release", "uname_version", "upstream", "origin", "package",
            "package_version", "suite", "sha256", "config");
    private static final Set<String> HOST = Set.of("qemu", "cpu", "machine", "midr");
    private static final Set<String> SET = Set.of("name", "features", "refused", "target", "count", "spec",
            "registers", "writable_masks", "cpreg_list");
    private static final Set<String> REGISTER = Set.of("id", "name", "value", "errno");
    private static final Set<String> REFUSED = Set.of("step", "errno");

    public static KvmCapture read(JsonInput root) {
        root.object(TOP);
        String format = root.get("format").string(64);
        if (!format.equals(FORMAT)) {
            throw root.get("format").error("format is '" + dev.regshim.util.Text.safe(format, 40) + "', expected '" + FORMAT + "'");
        }
        JsonInput k = root.get("kernel").object(KERNEL);
        Map<String, String> config = new LinkedHashMap<>();
        if (k.has("config")) {
            JsonInput cfg = k.get("config");
            for (String name : cfg.fieldNames()) {
                config.put(name, cfg.get(name).string(64));
            }
        }
        KvmCapture.Kernel kernel = new KvmCapture.Kernel(k.get("release").string(256), optText(k, "uname_version"),
                optText(k, "upstream"), k.get("origin").string(16), optText(k, "package"), optText(k, "package_version"),
                optText(k, "suite"), optText(k, "sha256"), config);
        JsonInput h = root.get("host").object(HOST);
        KvmCapture.Host host = new KvmCapture.Host(h.get("qemu").string(64), h.get("cpu").string(256),
                h.get("machine").string(256), optText(h, "midr"));
        Map<String, Integer> caps = new LinkedHashMap<>();
        JsonInput cn = root.get("caps");
        for (String name : cn.fieldNames()) {
            caps.put(name, cn.get(name).integer(-4096, Integer.MAX_VALUE));
        }
        List<CapturedSet> sets = new ArrayList<>();
        for (JsonInput sn : root.get("sets").array(MAX_SETS)) {
            sets.add(set(sn));
        }
        List<ValueTrial> trials = new ArrayList<>();
        if (root.has("trials")) {
            for (JsonInput tn : root.get("trials").array(MAX_SETS)) {
                tn.object(TRIAL);
                List<ValueTrial.Entry> entries = new ArrayList<>();
                for (JsonInput w : tn.get("writes").array(MAX_REGISTERS)) {
                    w.object(WRITE);
                    entries.add(new ValueTrial.Entry(w.get("id").hex(64), w.get("value").hex(64),
                            w.get("errno").integer(0, 4095)));
                }
                trials.add(new ValueTrial(tn.get("label").string(256), tn.get("set").string(64), entries));
            }
        }
        return new KvmCapture(kernel, host, root.get("boot").string(MAX_TEXT), caps, sets, trials);
    }

    private static CapturedSet set(JsonInput sn) {
        sn.object(SET);
        String name = sn.get("name").string(64);
        Set<KernelFeature> features = EnumSet.noneOf(KernelFeature.class);
        for (JsonInput f : sn.get("features").array(16)) {
            String fname = f.string(16);
            KernelFeature kf = KernelFeature.byName(fname).filter(CapturedSet.VCPU_FEATURES::contains)
                    .orElseThrow(() -> f.error("not a vCPU feature: '" + dev.regshim.util.Text.safe(fname, 20) + "'"));
            features.add(kf);
        }
        if (sn.has("refused")) {
            JsonInput r = sn.get("refused").object(REFUSED);
            return CapturedSet.refused(name, features, new CapturedSet.Refusal(r.get("step").string(32),
                    r.get("errno").integer(0, 4095)));
        }
        List<JsonInput> regs = sn.get("registers").array(MAX_REGISTERS);
        long[] ids = new long[regs.size()];
        String[] values = new String[regs.size()];
        int[] errnos = new int[regs.size()];
        for (int i = 0; i < regs.size(); i++) {
            JsonInput r = regs.get(i).object(REGISTER);
            ids[i] = r.get("id").hex(64);
            if (r.has("value")) {
                String v = r.get("value").hexDigits(MAX_VALUE_DIGITS);
                int width = 2 * RegId.of(ids[i]).sizeBytes();
                if (v.length() != width) {
                    throw r.get("value").error("expected " + width + " hex digits for a " + width * 4
                            + "-bit register, got " + v.length());
                }
                values[i] = v;
            } else {
                errnos[i] = r.get("errno").integer(1, 4095);
            }
        }
        SortedMapBuilder masks = new SortedMapBuilder();
        if (sn.has("writable_masks")) {
            JsonInput m = sn.get("writable_masks");
            for (String idx : m.fieldNames()) {
                int index;
                try {
                    index = Integer.parseInt(idx);
                } catch (NumberFormatException e) {
                    throw m.error("mask index '" + dev.regshim.util.Text.safe(idx, 20) + "' is not a number");
                }
                if (index < 0 || index >= 192) {
                    throw m.error("mask index " + index + " out of range [0, 191]");
                }
                masks.map.put(index, m.get(idx).hex(64));
            }
        }
        return new CapturedSet(name, features, null, sn.get("target").integer(0, Integer.MAX_VALUE), ids, values,
                errnos, masks.map);
    }

    private static final class SortedMapBuilder {
        final TreeMap<Integer, Long> map = new TreeMap<>();
    }

    private static String optText(JsonInput o, String field) {
        return o.has(field) ? o.get(field).string(MAX_TEXT) : null;
    }
}
