package dev.regshim.profile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.regshim.RegshimException;
import dev.regshim.cpreg.CpregArray;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegParseException;
import dev.regshim.regs.RegParser;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Profiles as JSON files a user keeps per host. Register IDs and values are {@code "0x%016x"} strings; each register
 * also carries its name for people reading the file (ignored on input; an ID may also be given as a name).
 *
 * <pre>
 * {"format": "regshim-profile/1",
 *  "provenance": {"kind": "stream", "source": "max.mig", "qemu_version": "7.2", "machine": "virt-7.2", ...},
 *  "machine": "virt-7.2", "page_size": 4096,
 *  "ram_blocks": [{"name": "mach-virt.ram", "size": "0x4000000"}, ...],
 *  "sections": [{"idstr": "timer", "instance": 0, "version": 2, "section_id": 0}, ...],
 *  "as_sent": true, "template": false,
 *  "vcpus": [{"instance": 0, "count": 304, "registers": [{"id": "0x...", "name": "TPIDR_EL1", "value": "0x..."}]}]}
 * </pre>
 */
public final class ProfileJson {

    public static final String FORMAT = "regshim-profile/1";
    /** Bounds for untrusted profile files. */
    public static final long MAX_FILE_BYTES = 64L << 20;
    public static final int MAX_VCPUS = 4096;
    public static final int MAX_REGISTERS = 65536;

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).maxStringLength(1 << 20).build())
            .build()).enable(SerializationFeature.INDENT_OUTPUT);

    private ProfileJson() {
    }

    public static ObjectNode toJson(Profile p) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("format", FORMAT);
        o.set("provenance", provenance(p.provenance()));
        if (p.machineType() != null) {
            o.put("machine", p.machineType());
        }
        if (p.pageSize() != null) {
            o.put("page_size", p.pageSize());
        }
        if (p.ramBlocks() != null) {
            ArrayNode a = o.putArray("ram_blocks");
            p.ramBlocks().forEach(b -> a.addObject().put("name", b.name()).put("size", String.format("0x%x", b.size())));
        }
        if (p.sections() != null) {
            ArrayNode a = o.putArray("sections");
            p.sections().forEach(s -> {
                ObjectNode sn = a.addObject().put("idstr", s.idstr()).put("instance", s.instance()).put("version", s.version());
                if (s.layout() != null) {
                    sn.put("layout", s.layout());
                }
                if (s.sectionId() != Profile.SectionRef.UNKNOWN_ID) {
                    sn.put("section_id", s.sectionId());
                }
                if (s.subsections() != null) {
                    ArrayNode subs = sn.putArray("subsections");
                    s.subsections().forEach(subs::add);
                }
            });
        }
        o.put("as_sent", p.asSent());
        o.put("template", p.template());
        ArrayNode vs = o.putArray("vcpus");
        RegCatalog cat = RegCatalog.get();
        for (Profile.Vcpu v : p.vcpus()) {
            ObjectNode vn = vs.addObject();
            vn.put("instance", v.instance());
            vn.put("count", v.cpregs().length());
            ArrayNode regs = vn.putArray("registers");
            for (int i = 0; i < v.cpregs().length(); i++) {
                RegId id = RegId.of(v.cpregs().id(i));
                ObjectNode r = regs.addObject();
                r.put("id", id.hex());
                r.put("name", cat.name(id));
                if (v.cpregs().hasValues()) {
                    r.put("value", String.format("0x%016x", v.cpregs().value(i)));
                }
            }
        }
        return o;
    }

    private static ObjectNode provenance(Provenance pr) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("kind", pr.kind());
        o.put("source", pr.source());
        putIf(o, "qemu_version", pr.qemuVersion());
        putIf(o, "machine", pr.machine());
        putIf(o, "cpu", pr.cpu());
        putIf(o, "accel", pr.accel());
        putIf(o, "kernel", pr.kernel());
        if (!pr.features().isEmpty()) {
            ArrayNode f = o.putArray("features");
            pr.features().forEach(f::add);
        }
        if (pr.inferred()) {
            o.put("inferred", true);
        }
        return o;
    }

    private static void putIf(ObjectNode o, String k, String v) {
        if (v != null) {
            o.put(k, v);
        }
    }

    public static String write(Profile p) {
        try {
            return MAPPER.writeValueAsString(toJson(p));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void write(Profile p, Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, write(p) + "\n");
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    public static Profile read(Path file) {
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new RegshimException(file + ": profile larger than " + MAX_FILE_BYTES + " bytes");
            }
            try (InputStream in = Files.newInputStream(file)) {
                return parse(MAPPER.readTree(in), file.toString());
            }
        } catch (JsonProcessingException e) {
            throw new RegshimException(file + ": not a valid profile JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new RegshimException("cannot read " + file + ": " + e.getMessage());
        }
    }

    public static Profile parse(JsonNode root, String source) {
        if (root == null || !root.isObject()) {
            throw bad(source, "top level is not a JSON object");
        }
        String format = root.path("format").asText("");
        if (!FORMAT.equals(format)) {
            throw bad(source, "format is '" + format + "', expected '" + FORMAT + "'");
        }
        JsonNode pn = root.path("provenance");
        List<String> features = new ArrayList<>();
        pn.path("features").forEach(f -> features.add(f.asText()));
        Provenance prov = new Provenance(pn.path("kind").asText("json"), pn.path("source").asText(source),
                text(pn, "qemu_version"), text(pn, "machine"), text(pn, "cpu"), text(pn, "accel"), text(pn, "kernel"),
                features, pn.path("inferred").asBoolean(false));
        List<Profile.RamBlock> ram = null;
        if (root.has("ram_blocks")) {
            ram = new ArrayList<>();
            for (JsonNode b : root.get("ram_blocks")) {
                ram.add(new Profile.RamBlock(b.path("name").asText(), number(b.path("size"), source, "ram block size")));
            }
        }
        List<Profile.SectionRef> sections = null;
        if (root.has("sections")) {
            sections = new ArrayList<>();
            for (JsonNode sn : root.get("sections")) {
                sections.add(new Profile.SectionRef(sn.path("idstr").asText(), sn.path("instance").asInt(),
                        sn.path("version").asInt(), sn.hasNonNull("layout") ? sn.get("layout").asText() : null,
                        sn.path("section_id").asInt(Profile.SectionRef.UNKNOWN_ID), subsections(sn)));
            }
        }
        JsonNode vcpusNode = root.path("vcpus");
        if (!vcpusNode.isArray() || vcpusNode.isEmpty()) {
            throw bad(source, "no vcpus");
        }
        if (vcpusNode.size() > MAX_VCPUS) {
            throw bad(source, "more than " + MAX_VCPUS + " vcpus");
        }
        List<Profile.Vcpu> vcpus = new ArrayList<>();
        for (JsonNode vn : vcpusNode) {
            int instance = vn.path("instance").asInt(0);
            JsonNode regs = vn.path("registers");
            if (regs.size() > MAX_REGISTERS) {
                throw bad(source, "vcpu " + instance + " has more than " + MAX_REGISTERS + " registers");
            }
            long[] ids = new long[regs.size()];
            long[] values = new long[regs.size()];
            int withValue = 0;
            for (int i = 0; i < regs.size(); i++) {
                JsonNode r = regs.get(i);
                try {
                    ids[i] = RegParser.parse(r.path("id").asText()).value();
                } catch (RegParseException e) {
                    throw bad(source, "vcpu " + instance + " register " + i + ": " + e.getMessage());
                }
                if (r.has("value")) {
                    values[i] = number(r.get("value"), source, "value of " + RegId.of(ids[i]).hex());
                    withValue++;
                }
            }
            if (withValue != 0 && withValue != ids.length) {
                throw bad(source, "vcpu " + instance + ": either every register has a value or none does");
            }
            vcpus.add(new Profile.Vcpu(instance, CpregArray.of(ids, withValue == 0 ? null : values)));
        }
        return new Profile(prov, text(root, "machine"), root.has("page_size") ? root.get("page_size").asInt() : null,
                ram, sections, vcpus, root.path("as_sent").asBoolean(false), root.path("template").asBoolean(false));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static long number(JsonNode n, String source, String what) {
        if (n.isNumber()) {
            return n.asLong();
        }
        String t = n.asText("").trim().toLowerCase(java.util.Locale.ROOT);
        try {
            return t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseUnsignedLong(t);
        } catch (NumberFormatException e) {
            throw bad(source, "bad " + what + " '" + n.asText() + "'");
        }
    }

    private static RegshimException bad(String source, String msg) {
        return new RegshimException(source + ": " + msg);
    }

    private static List<String> subsections(JsonNode section) {
        JsonNode a = section.get("subsections");
        if (a == null || !a.isArray()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        a.forEach(n -> out.add(n.asText()));
        return out;
    }
}
