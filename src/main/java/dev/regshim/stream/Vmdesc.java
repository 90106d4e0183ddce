package dev.regshim.stream;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The JSON of the VMDESCRIPTION trailer (framed as {@link VmdescTrailer} says). QEMU's loader reads and discards it,
 * but it is the only description of each device section's field sizes, and analysis tools rely on it.
 * <p>
 * {@code {["configuration": {...},] "page_size": 4096, "devices": [ one entry per FULL section, in stream order ]}};
 * each device entry is a {@link Vmsd}, which answers what the walks and reports ask of it.
 * <p>
 * Immutable. {@link #encode()} returns the bytes as read unless the tree was changed, and a changed tree is written in
 * QEMU's format ({@link QemuJson}). The tree never leaves this package.
 */
public final class Vmdesc {

    public static final String DEVICES = "devices";

    private final long offset;
    private final byte[] raw;
    /** {@link #encode()}'s bytes of a changed tree, once written. */
    private volatile byte[] encoded;
    private final ObjectNode root;
    private final boolean changed;

    private Vmdesc(long offset, byte[] raw, ObjectNode root, boolean changed) {
        this.offset = offset;
        this.raw = raw;
        this.root = root;
        this.changed = changed;
    }

    /**
     * Parses trailer JSON.
     *
     * @param offset offset of the trailer's 0x06 byte, for messages
     */
    public static Vmdesc parse(byte[] json, long offset, StreamLimits limits) {
        long jsonOffset = VmdescTrailer.jsonOffset(offset);
        JsonNode node;
        try {
            node = mapper(limits).readTree(json);
        } catch (JsonProcessingException e) {
            long at = e.getLocation() == null ? jsonOffset : jsonOffset + Math.max(0, e.getLocation().getByteOffset());
            throw new StreamFormatException(at, "vmdesc", "invalid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new StreamFormatException(jsonOffset, "vmdesc", "invalid JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new StreamFormatException(jsonOffset, "vmdesc", "JSON is not an object");
        }
        JsonNode devices = node.get(DEVICES);
        if (devices == null || !devices.isArray()) {
            throw new StreamFormatException(jsonOffset, "vmdesc", "JSON has no \"devices\" array");
        }
        for (int i = 0; i < devices.size(); i++) {
            JsonNode d = devices.get(i);
            if (!d.isObject() || !d.path("name").isTextual() || !d.path("instance_id").canConvertToInt()) {
                throw new StreamFormatException(jsonOffset, "vmdesc", "device entry " + i
                        + " lacks a string \"name\" and an integer \"instance_id\"");
            }
        }
        return new Vmdesc(offset, json.clone(), (ObjectNode) node, false);
    }

    /** The mapper for the last limits used (nearly always {@link StreamLimits#defaults()}): building one is costly. */
    private static volatile MapperFor lastMapper = new MapperFor(null, null);

    private record MapperFor(StreamLimits limits, ObjectMapper mapper) {
    }

    private static ObjectMapper mapper(StreamLimits limits) {
        MapperFor last = lastMapper;
        if (last.limits() == limits) { // limits are immutable: the same object, the same bounds
            return last.mapper();
        }
        ObjectMapper m = newMapper(limits);
        lastMapper = new MapperFor(limits, m);
        return m;
    }

    private static ObjectMapper newMapper(StreamLimits limits) {
        JsonFactory f = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(limits.maxVmdescNesting())
                        .maxDocumentLength(limits.maxVmdescBytes())
                        .maxStringLength(limits.maxVmdescStringLength())
                        .maxNumberLength(limits.maxVmdescNumberLength())
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        return new ObjectMapper(f).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** Offset of the 0x06 byte in the stream it was read from. */
    public long offset() {
        return offset;
    }

    /** The JSON bytes as read. */
    public byte[] raw() {
        return raw.clone();
    }

    /** Whether the JSON bytes as read are {@code json} (no copy made). */
    boolean hasRaw(byte[] json) {
        return java.util.Arrays.equals(raw, json);
    }

    public boolean isChanged() {
        return changed;
    }

    /** A copy of the tree. */
    ObjectNode tree() {
        return root.deepCopy();
    }

    /** Whether QEMU put its configuration in the trailer too (it does from 9.0 on). */
    public boolean hasConfiguration() {
        return root.has("configuration");
    }

    public int deviceCount() {
        return root.get(DEVICES).size();
    }

    /** The entry describing the i-th FULL section. */
    public Vmsd device(int i) {
        return new Vmsd(root.get(DEVICES).get(i));
    }

    /** JSON bytes to write: as read when unchanged, else QEMU-formatted. */
    public byte[] encode() {
        if (!changed) {
            return raw.clone();
        }
        byte[] e = encoded;
        if (e == null) {
            e = QemuJson.write(root).getBytes(StandardCharsets.UTF_8);
            encoded = e; // the tree never changes after construction: written once (a race writes it twice, alike)
        }
        return e.clone();
    }

    /** The trailer on the wire: 0x06, be32 length, JSON. */
    public int encodedLength() {
        return VmdescTrailer.bytes(changed ? encode().length : raw.length);
    }

    /** The tree written in QEMU's format (whether or not it changed); equals {@link #raw()} for QEMU's own output. */
    public byte[] reserialize() {
        return QemuJson.write(root).getBytes(StandardCharsets.UTF_8);
    }

    /** The cpreg count the entry for cpu {@code instance} records (absent entries mean 0, no array_len means 1). */
    public int cpregCount(int instance) {
        Vmsd.Field indexes = new Vmsd(cpuEntry(instance)).field(CpuLayout.CPREG_INDEXES_FIELD);
        return indexes == null ? 0 : indexes.declaredCount();
    }

    /**
     * Whether the loader that wrote this description checks the incoming cpreg count against its own: QEMU up to 11.0
     * declares {@code cpreg_vmstate_array_len} as {@code "int32 le"} (VMSTATE_INT32_POSITIVE_LE, the length check),
     * 11.1 as a plain {@code "int32"}. Empty when no cpu entry or field says.
     */
    public java.util.Optional<Boolean> cpregLengthChecked() {
        for (JsonNode d : root.path(DEVICES)) {
            if (!d.path("name").asText().equals(CpuLayout.IDSTR)) {
                continue;
            }
            JsonNode f = findField(d, CpuLayout.CPREG_ARRAY_LEN_FIELD);
            String type = f == null ? "" : f.path("type").asText();
            if (type.equals(CPREG_LEN_CHECKED_TYPE)) {
                return java.util.Optional.of(true);
            }
            if (type.equals(CPREG_LEN_PLAIN_TYPE)) {
                return java.util.Optional.of(false);
            }
        }
        return java.util.Optional.empty();
    }

    private static final String CPREG_LEN_CHECKED_TYPE = "int32 le";
    private static final String CPREG_LEN_PLAIN_TYPE = "int32";

    /**
     * The same description with cpu {@code instance}'s cpreg arrays recorded as {@code n} long, the way QEMU itself
     * writes them: {@code "array_len": n} for n > 1, no array_len for n == 1, no entries at all for n == 0.
     */
    public Vmdesc withCpregCount(int instance, int n) {
        ObjectNode copy = root.deepCopy();
        ObjectNode cpu = (ObjectNode) cpuEntryIn(copy, instance);
        ArrayNode fields = (ArrayNode) cpu.get("fields");
        int lenAt = -1;
        for (int i = 0; i < fields.size(); i++) {
            String name = fields.get(i).path("name").asText();
            if (name.equals(CpuLayout.CPREG_ARRAY_LEN_FIELD)) {
                lenAt = i;
            }
        }
        if (lenAt < 0) {
            throw new StreamFormatException(offset, "vmdesc", "cpu instance " + instance + " has no "
                    + CpuLayout.CPREG_ARRAY_LEN_FIELD + " field");
        }
        List<JsonNode> kept = new ArrayList<>();
        for (int i = 0; i < fields.size(); i++) {
            JsonNode f = fields.get(i);
            String name = f.path("name").asText();
            if (name.equals(CpuLayout.CPREG_INDEXES_FIELD) || name.equals(CpuLayout.CPREG_VALUES_FIELD)) {
                continue;
            }
            kept.add(f);
            if (i == lenAt && n > 0) {
                JsonNode oldIdx = findField(cpu, CpuLayout.CPREG_INDEXES_FIELD);
                JsonNode oldVal = findField(cpu, CpuLayout.CPREG_VALUES_FIELD);
                kept.add(arrayField(copy, oldIdx, CpuLayout.CPREG_INDEXES_FIELD, n));
                kept.add(arrayField(copy, oldVal, CpuLayout.CPREG_VALUES_FIELD, n));
            }
        }
        fields.removeAll();
        kept.forEach(fields::add);
        return new Vmdesc(offset, raw, copy, true);
    }

    /** Rebuilds a uint64 array field keeping its key order, with array_len present only for n > 1. */
    private static ObjectNode arrayField(ObjectNode factory, JsonNode old, String name, int n) {
        ObjectNode f = factory.objectNode();
        if (old == null) {
            f.put("name", name);
            if (n > 1) {
                f.put("array_len", n);
            }
            f.put("type", "uint64");
            f.put("size", Long.BYTES);
            return f;
        }
        Iterator<Map.Entry<String, JsonNode>> it = old.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("array_len")) {
                continue;
            }
            f.set(e.getKey(), e.getValue().deepCopy());
            if (e.getKey().equals("name") && n > 1) {
                f.put("array_len", n);
            }
        }
        return f;
    }

    private JsonNode cpuEntry(int instance) {
        return cpuEntryIn(root, instance);
    }

    private JsonNode cpuEntryIn(ObjectNode tree, int instance) {
        JsonNode found = null;
        for (JsonNode d : tree.get(DEVICES)) {
            if (d.path("name").asText().equals(CpuLayout.IDSTR) && d.path("instance_id").asInt() == instance) {
                if (found != null) {
                    throw new StreamFormatException(offset, "vmdesc", "two entries for cpu instance " + instance);
                }
                found = d;
            }
        }
        if (found == null || !found.path("fields").isArray()) {
            throw new StreamFormatException(offset, "vmdesc", "no entry with fields for cpu instance " + instance);
        }
        return found;
    }

    private static JsonNode findField(JsonNode entry, String name) {
        for (JsonNode f : entry.path("fields")) {
            if (f.path("name").asText().equals(name)) {
                return f;
            }
        }
        return null;
    }
}
