package dev.regshim.profile;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.regshim.RegshimException;
import dev.regshim.regs.CpregArray;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegParseException;
import dev.regshim.regs.RegParser;
import dev.regshim.util.JsonStreamInput;
import dev.regshim.util.Text;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

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
                if (s.mainFieldBytes() != null) {
                    sn.put("layout", layoutText(s.mainFieldBytes()));
                }
                if (s.sectionId() != Profile.SectionRef.UNKNOWN_ID) {
                    sn.put("section_id", s.sectionId());
                }
                if (s.subsections() != null) {
                    ArrayNode subs = sn.putArray("subsections");
                    s.subsections().forEach(sub -> subs.add(sub.toString()));
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

    /** Reads a profile file: strict types, unknown fields refused, streamed (memory in proportion to the registers). */
    public static Profile read(Path file) {
        try (JsonStreamInput in = JsonStreamInput.open(file, MAX_FILE_BYTES)) {
            Profile p = parse(in, file.toString());
            in.end();
            return p;
        }
    }

    /** Parses a profile held as a tree (re-read with the same strict rules as a file). */
    public static Profile parse(JsonNode root, String source) {
        try {
            byte[] bytes = MAPPER.writeValueAsBytes(root);
            try (JsonStreamInput in = JsonStreamInput.of(bytes, source)) {
                return parse(in, source);
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final Set<String> TOP = Set.of("format", "provenance", "machine", "page_size", "ram_blocks",
            "sections", "as_sent", "template", "vcpus");
    private static final Set<String> PROVENANCE = Set.of("kind", "source", "qemu_version", "machine", "cpu", "accel",
            "kernel", "features", "inferred");
    private static final Set<String> RAM_BLOCK = Set.of("name", "size");
    private static final Set<String> SECTION = Set.of("idstr", "instance", "version", "layout", "section_id", "subsections");
    private static final Set<String> VCPU = Set.of("instance", "count", "registers");
    private static final Set<String> REGISTER = Set.of("id", "name", "value");
    private static final int MAX_TEXT = 4096;
    private static final int MAX_RAM_BLOCKS = 4096;
    private static final int MAX_SECTIONS = 1 << 16;
    private static final int MAX_SUBSECTIONS = 256;

    private static Profile parse(JsonStreamInput in, String source) {
        in.beginObject();
        String format = null;
        Provenance prov = Provenance.of("json", source);
        String machine = null;
        Integer pageSize = null;
        List<Profile.RamBlock> ram = null;
        List<Profile.SectionRef> sections = null;
        boolean asSent = false;
        boolean template = false;
        List<Profile.Vcpu> vcpus = null;
        String field;
        while ((field = in.nextField(TOP)) != null) {
            switch (field) {
                case "format" -> format = in.string(64);
                case "provenance" -> prov = provenance(in, source);
                case "machine" -> machine = in.string(MAX_TEXT);
                case "page_size" -> pageSize = (int) in.integer(1, 1L << 30);
                case "ram_blocks" -> ram = ramBlocks(in);
                case "sections" -> sections = sections(in);
                case "as_sent" -> asSent = in.bool();
                case "template" -> template = in.bool();
                case "vcpus" -> vcpus = vcpus(in);
                default -> in.skip();
            }
            in.endField();
        }
        if (!FORMAT.equals(format)) {
            throw bad(source, format == null ? "no \"format\"; expected \"" + FORMAT + "\""
                    : "format is '" + Text.safe(format, 40) + "', expected '" + FORMAT + "'");
        }
        if (vcpus == null || vcpus.isEmpty()) {
            throw bad(source, "no vcpus");
        }
        return new Profile(prov, machine, pageSize, ram, sections, vcpus, asSent, template);
    }

    private static Provenance provenance(JsonStreamInput in, String source) {
        in.beginObject();
        String kind = "json";
        String src = source;
        String qemu = null;
        String machine = null;
        String cpu = null;
        String accel = null;
        String kernel = null;
        List<String> features = new ArrayList<>();
        boolean inferred = false;
        String f;
        while ((f = in.nextField(PROVENANCE)) != null) {
            switch (f) {
                case "kind" -> kind = in.string(64);
                case "source" -> src = in.string(MAX_TEXT);
                case "qemu_version" -> qemu = in.string(64);
                case "machine" -> machine = in.string(MAX_TEXT);
                case "cpu" -> cpu = in.string(MAX_TEXT);
                case "accel" -> accel = in.string(16);
                case "kernel" -> kernel = in.string(MAX_TEXT);
                case "features" -> {
                    in.beginArray(64);
                    while (in.nextElement()) {
                        features.add(in.string(64));
                    }
                }
                case "inferred" -> inferred = in.bool();
                default -> in.skip();
            }
            in.endField();
        }
        return new Provenance(kind, src, qemu, machine, cpu, accel, kernel, features, inferred);
    }

    private static List<Profile.RamBlock> ramBlocks(JsonStreamInput in) {
        List<Profile.RamBlock> out = new ArrayList<>();
        in.beginArray(MAX_RAM_BLOCKS);
        while (in.nextElement()) {
            in.beginObject();
            String name = null;
            Long size = null;
            String f;
            while ((f = in.nextField(RAM_BLOCK)) != null) {
                if (f.equals("name")) {
                    name = in.string(256);
                } else {
                    size = in.unsigned64();
                }
                in.endField();
            }
            if (name == null || size == null) {
                throw in.error("a RAM block needs \"name\" and \"size\"");
            }
            out.add(new Profile.RamBlock(name, size));
        }
        return out;
    }

    /** A section's layout as the JSON form writes it: {@code "main fields N bytes"}. */
    static String layoutText(long mainFieldBytes) {
        return "main fields " + mainFieldBytes + " bytes";
    }

    private static final java.util.regex.Pattern LAYOUT = java.util.regex.Pattern.compile("main fields (\\d{1,12}) bytes");

    private static Long mainFieldBytes(JsonStreamInput in, String text) {
        java.util.regex.Matcher m = LAYOUT.matcher(text);
        if (!m.matches()) {
            throw in.error("layout '" + Text.safe(text, 60) + "' is not \"main fields N bytes\"");
        }
        return Long.parseLong(m.group(1));
    }

    private static List<Profile.SectionRef> sections(JsonStreamInput in) {
        List<Profile.SectionRef> out = new ArrayList<>();
        in.beginArray(MAX_SECTIONS);
        while (in.nextElement()) {
            in.beginObject();
            String idstr = null;
            int instance = 0;
            int version = 0;
            Long mainFieldBytes = null;
            int sectionId = Profile.SectionRef.UNKNOWN_ID;
            List<Profile.Subsection> subs = null;
            String f;
            while ((f = in.nextField(SECTION)) != null) {
                switch (f) {
                    case "idstr" -> idstr = in.string(256);
                    case "instance" -> instance = (int) in.integer(0, Integer.MAX_VALUE);
                    case "version" -> version = (int) in.integer(0, Integer.MAX_VALUE);
                    case "layout" -> mainFieldBytes = mainFieldBytes(in, in.string(256));
                    case "section_id" -> sectionId = (int) in.integer(0, Integer.MAX_VALUE);
                    case "subsections" -> {
                        subs = new ArrayList<>();
                        in.beginArray(MAX_SUBSECTIONS);
                        while (in.nextElement()) {
                            subs.add(Profile.Subsection.parse(in.string(256)));
                        }
                    }
                    default -> in.skip();
                }
                in.endField();
            }
            if (idstr == null) {
                throw in.error("a section needs \"idstr\"");
            }
            out.add(new Profile.SectionRef(idstr, instance, version, mainFieldBytes, sectionId, subs));
        }
        return out;
    }

    private static List<Profile.Vcpu> vcpus(JsonStreamInput in) {
        List<Profile.Vcpu> out = new ArrayList<>();
        in.beginArray(MAX_VCPUS);
        while (in.nextElement()) {
            in.beginObject();
            int instance = 0;
            long[] ids = new long[0];
            long[] values = null;
            String f;
            while ((f = in.nextField(VCPU)) != null) {
                switch (f) {
                    case "instance" -> instance = (int) in.integer(0, Integer.MAX_VALUE);
                    case "count" -> in.integer(0, MAX_REGISTERS);
                    case "registers" -> {
                        Registers r = registers(in);
                        ids = r.ids();
                        values = r.values();
                    }
                    default -> in.skip();
                }
                in.endField();
            }
            out.add(new Profile.Vcpu(instance, CpregArray.of(ids, values)));
        }
        return out;
    }

    private record Registers(long[] ids, long[] values) {
    }

    private static Registers registers(JsonStreamInput in) {
        long[] ids = new long[64];
        long[] values = new long[64];
        int n = 0;
        int withValue = 0;
        in.beginArray(MAX_REGISTERS);
        while (in.nextElement()) {
            in.beginObject();
            Long id = null;
            Long value = null;
            String f;
            while ((f = in.nextField(REGISTER)) != null) {
                switch (f) {
                    case "id" -> {
                        String text = in.string(256);
                        try {
                            id = RegParser.parse(text).value();
                        } catch (RegParseException e) {
                            throw in.error(Text.oneLine(e.getMessage(), 120));
                        }
                    }
                    case "value" -> value = in.unsigned64();
                    default -> in.skip();
                }
                in.endField();
            }
            if (id == null) {
                throw in.error("a register needs an \"id\"");
            }
            if (n == ids.length) {
                ids = java.util.Arrays.copyOf(ids, n * 2);
                values = java.util.Arrays.copyOf(values, n * 2);
            }
            ids[n] = id;
            if (value != null) {
                values[n] = value;
                withValue++;
            }
            n++;
        }
        if (withValue != 0 && withValue != n) {
            throw in.error("either every register has a value or none does");
        }
        return new Registers(java.util.Arrays.copyOf(ids, n), withValue == 0 ? null : java.util.Arrays.copyOf(values, n));
    }

    private static RegshimException bad(String source, String msg) {
        return new RegshimException(source + ": " + msg);
    }
}
