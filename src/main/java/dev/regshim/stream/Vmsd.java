package dev.regshim.stream;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * One VMStateDescription as the vmdesc trailer records it: a device entry (one per FULL section, in stream order), a
 * subsection nested in one, or the element description of a struct field.
 *
 * <pre>
 * device entry := {"name": idstr, "instance_id": n, "vmsd_name": s, "version": n, "fields": [field...],
 *                  ["subsections": [subsection...]]}
 * subsection   := {"vmsd_name": "cpu/vfp", "version": n, "fields": [...], ["subsections": [...]]}
 * field        := {"name": s, ["array_len": n | "index": i], "type": s, ["struct": {vmsd}], "size": n}
 * </pre>
 *
 * A field's {@code size} is per element; on the wire a subsection is its header ({@link SubsectionHeader}), its
 * fields, then its own subsections. The trailer is untrusted and a walk reads only what it needs, so the values a
 * walk relies on are checked when it asks for them, and the error names the stream offset and section of that walk.
 * The answers for reports ({@link #mainFieldBytes()}) take the description as it is.
 */
public final class Vmsd {

    private final JsonNode node;

    Vmsd(JsonNode node) {
        this.node = node;
    }

    /** The idstr of the section a device entry describes, e.g. {@code cpu}. */
    public String name() {
        return node.path("name").asText();
    }

    /** The instance of the section a device entry describes. */
    public int instanceId() {
        return node.path("instance_id").asInt();
    }

    /**
     * Bytes of the main fields on the wire, as recorded, without any subsection: neither the description's own nor
     * those a struct field's elements happened to send (GICv3's per-vCPU interface sends "nmi" only for CPUs with
     * FEAT_NMI), which a loading QEMU accepts whatever its own layout. A missing size counts 0, a missing or zero
     * array_len 1.
     */
    public long mainFieldBytes() {
        long n = 0;
        for (Field f : fields()) {
            n += f.fixedBytes();
        }
        return n;
    }

    /**
     * The subsections this description says were sent, in order: the entry's own (and theirs, nested) by name, and
     * those sent by the elements of a struct field with that field (GICv3's per-vCPU {@code cpu} array sends
     * {@code arm_gicv3_cpu/sre_el1}). A loader that does not know one of them fails there.
     */
    public List<SentSubsection> sentSubsections() {
        List<SentSubsection> out = new ArrayList<>();
        collectSent(this, null, out, 0);
        return out;
    }

    private static final int MAX_DEPTH = 16;

    /** A subsection sent: its name, and the struct field whose elements sent it (null: the entry's own). */
    public record SentSubsection(String field, String name) {
    }

    private static void collectSent(Vmsd v, String field, List<SentSubsection> out, int depth) {
        if (depth > MAX_DEPTH) {
            return;
        }
        for (Field f : v.fields()) {
            Vmsd struct = f.struct();
            if (struct != null) {
                collectSent(struct, field != null ? field : f.name(), out, depth + 1);
            }
        }
        for (Vmsd sub : v.subsections()) {
            String name = sub.node.path("vmsd_name").asText();
            out.add(new SentSubsection(field, name));
            collectSent(sub, field, out, depth + 1);
        }
    }

    // ---------------------------------------------------------------- what the walks ask

    List<Field> fields() {
        List<Field> out = new ArrayList<>();
        node.path("fields").forEach(f -> out.add(new Field(f)));
        return out;
    }

    List<Vmsd> subsections() {
        List<Vmsd> out = new ArrayList<>();
        node.path("subsections").forEach(s -> out.add(new Vmsd(s)));
        return out;
    }

    /** The first field named {@code name}, or null. */
    Field field(String name) {
        for (Field f : fields()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        return null;
    }

    boolean hasSubsections() {
        return node.path("subsections").size() > 0;
    }

    /** A subsection's name, which its header on the wire must carry. */
    String subsectionName(StreamLimits limits, long at, String where) {
        JsonNode v = node.get("vmsd_name");
        if (v == null || !v.isTextual() || v.asText().isEmpty() || v.asText().length() > limits.maxNameLength()) {
            throw new StreamFormatException(at, where, "vmdesc subsection without a usable \"vmsd_name\"");
        }
        return v.asText();
    }

    /** A subsection's version, which its header on the wire must carry. */
    int version(long at, String where) {
        return nonNegativeInt(node, "version", at, where);
    }

    /**
     * The field-data length this description gives a section, subsection headers included, checking every size it
     * adds up and its nesting.
     */
    long bodyLength(StreamLimits limits, long at, String where) {
        return bodyLength(limits, 0, at, where);
    }

    private long bodyLength(StreamLimits limits, int depth, long at, String where) {
        if (depth > limits.maxSubsectionDepth()) {
            throw new StreamFormatException(at, where, "vmdesc nests subsections deeper than "
                    + limits.maxSubsectionDepth());
        }
        long n = 0;
        for (Field f : fields()) {
            n += (long) f.size(at, where) * f.count(at, where);
            checkBound(n, limits, at, where);
        }
        for (Vmsd s : subsections()) {
            String name = s.subsectionName(limits, at, where);
            n += SubsectionHeader.bytes(name.length()) + s.bodyLength(limits, depth + 1, at, where);
            checkBound(n, limits, at, where);
        }
        return n;
    }

    private static void checkBound(long n, StreamLimits limits, long at, String where) {
        if (n > limits.maxBufferedDeviceBytes()) {
            throw new StreamFormatException(at, where, "vmdesc describes a section of " + n
                    + " bytes, over the device-state limit of " + limits.maxBufferedDeviceBytes());
        }
    }

    /** Checks that this device entry describes {@code h}: same name and instance, same version when it has one. */
    void checkDescribes(SectionHeader h, int index) {
        String name = name();
        int inst = instanceId();
        if (!name.equals(h.idstr()) || inst != h.instanceId()) {
            throw new StreamFormatException(h.offset(), h.describe(), "vmdesc device entry " + index + " describes '"
                    + SectionHeader.printable(name) + "' instance " + inst + ", not this section");
        }
        JsonNode version = node.get("version");
        if (version != null && version.asLong() != Integer.toUnsignedLong(h.versionId())) {
            throw new StreamFormatException(h.offset(), h.describe(), "vmdesc device entry " + index + " has version "
                    + version + ", the section has " + Integer.toUnsignedString(h.versionId()));
        }
    }

    /** The fields as declared, to decode a subsection no known layout covers (sizes other than 1, 2, 4, 8 as bytes). */
    List<FieldSpec> declaredFieldSpecs() {
        List<FieldSpec> specs = new ArrayList<>();
        for (Field f : fields()) {
            specs.add(f.declaredSpec());
        }
        return specs;
    }

    private static int nonNegativeInt(JsonNode o, String key, long at, String where) {
        JsonNode v = o.get(key);
        if (v == null) {
            throw new StreamFormatException(at, where, "vmdesc field " + o.path("name").asText("?") + " has no \""
                    + key + "\"");
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 0) {
            throw new StreamFormatException(at, where, "vmdesc field " + o.path("name").asText("?") + " has \""
                    + key + "\": " + v + ", not a non-negative integer");
        }
        return v.asInt();
    }

    /** One entry of a description's {@code fields}. */
    static final class Field {
        private final JsonNode node;

        private Field(JsonNode node) {
            this.node = node;
        }

        String name() {
            return node.path("name").asText();
        }

        /** Bytes per element. */
        int size(long at, String where) {
            return nonNegativeInt(node, "size", at, where);
        }

        /** Elements: its array_len, or 1. */
        int count(long at, String where) {
            return node.has("array_len") ? nonNegativeInt(node, "array_len", at, where) : 1;
        }

        /** The description of a struct field's elements, or null. */
        Vmsd struct() {
            JsonNode s = node.get("struct");
            return s == null ? null : new Vmsd(s);
        }

        /** Wire bytes without the subsections a struct's elements sent (see {@link Vmsd#mainFieldBytes()}). */
        private long fixedBytes() {
            long count = Math.max(1, node.path("array_len").asLong(1));
            Vmsd struct = struct();
            return struct == null ? node.path("size").asLong() * count : struct.mainFieldBytes() * count;
        }

        /** Elements as declared: its array_len (0 if not a number), or 1. */
        int declaredCount() {
            return node.has("array_len") ? node.path("array_len").asInt() : 1;
        }

        private FieldSpec declaredSpec() {
            int size = node.path("size").asInt();
            int count = declaredCount();
            return size > 0 ? new FieldSpec(name(), size, count) : new FieldSpec(name(), 1, 0);
        }
    }
}
