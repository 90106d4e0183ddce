package dev.regshim.stream;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Delimits and decodes one FULL device section held completely in a byte array, by one of the three
 * {@link DeviceSection.WalkMethod}s. Positions are array indexes; {@code base} maps index 0 to its stream offset.
 */
final class SectionWalker {

    /** A walked section and the array index just after its footer. */
    record Walked(DeviceSection section, int end) {
    }

    private final StreamLimits limits;

    SectionWalker(StreamLimits limits) {
        this.limits = limits;
    }

    // ---------------------------------------------------------------- headers

    /**
     * Parses a START/FULL header at {@code pos}, or returns null when {@code end} comes first (the caller decides
     * whether that is "need more" or truncation).
     */
    SectionHeader tryFullHeader(byte[] b, int pos, int end, long base) {
        if (end - pos < WireFormat.SECTION_ID_BYTES + 1) {
            return null;
        }
        int type = Bytes.u8(b, pos);
        int id = Bytes.be32(b, pos + 1);
        int len = Bytes.u8(b, pos + WireFormat.SECTION_ID_BYTES);
        if (len > limits.maxNameLength()) {
            throw new StreamFormatException(base + pos + WireFormat.SECTION_ID_BYTES, null,
                    WireFormat.typeName(type) + " section idstr length " + len + " exceeds the limit of "
                            + limits.maxNameLength());
        }
        if (len == 0) {
            throw new StreamFormatException(base + pos + WireFormat.SECTION_ID_BYTES, null,
                    WireFormat.typeName(type) + " section " + Integer.toUnsignedString(id) + " has an empty idstr");
        }
        if (end - pos < WireFormat.FULL_HEADER_FIXED_BYTES + len) {
            return null;
        }
        int idAt = pos + WireFormat.SECTION_ID_BYTES + 1;
        String idstr = new String(b, idAt, len, StandardCharsets.ISO_8859_1);
        int instance = Bytes.be32(b, idAt + len);
        int version = Bytes.be32(b, idAt + len + Integer.BYTES);
        return new SectionHeader(base + pos, type, id, idstr, instance, version);
    }

    SectionHeader fullHeader(byte[] b, int pos, int end, long base) {
        SectionHeader h = tryFullHeader(b, pos, end, base);
        if (h == null) {
            throw new StreamFormatException(base + pos, null, "stream ends inside a section header (truncated)");
        }
        return h;
    }

    private static void checkFooter(byte[] b, int p, int end, long base, SectionHeader h, String how) {
        if (end - p < WireFormat.FOOTER_BYTES) {
            throw new StreamFormatException(base + end, h.describe(), "stream ends before the section footer"
                    + " (truncated)");
        }
        if (Bytes.u8(b, p) != WireFormat.SECTION_FOOTER) {
            throw new StreamFormatException(base + p, h.describe(), String.format(
                    "expected the section footer 0x7e after the field data (%s), found 0x%02x", how, Bytes.u8(b, p)));
        }
        int id = Bytes.be32(b, p + 1);
        if (id != h.sectionId()) {
            throw new StreamFormatException(base + p, h.describe(), "footer names section "
                    + Integer.toUnsignedString(id) + ", expected " + Integer.toUnsignedString(h.sectionId()));
        }
    }

    // ---------------------------------------------------------------- vmdesc

    /** The field-data length a vmdesc device entry describes, subsection headers included. */
    long vmdescBodyLength(JsonNode vmsd, long at, String where) {
        return vmsdLength(vmsd, 0, at, where);
    }

    private long vmsdLength(JsonNode vmsd, int depth, long at, String where) {
        if (depth > limits.maxSubsectionDepth()) {
            throw new StreamFormatException(at, where, "vmdesc nests subsections deeper than "
                    + limits.maxSubsectionDepth());
        }
        long n = 0;
        for (JsonNode f : vmsd.path("fields")) {
            n += (long) intOf(f, "size", -1, at, where) * elementCount(f, at, where);
            checkBound(n, at, where);
        }
        for (JsonNode s : vmsd.path("subsections")) {
            String name = textOf(s, "vmsd_name", at, where);
            n += WireFormat.SUBSECTION_HEADER_FIXED_BYTES + name.length() + vmsdLength(s, depth + 1, at, where);
            checkBound(n, at, where);
        }
        return n;
    }

    private void checkBound(long n, long at, String where) {
        if (n > limits.maxBufferedDeviceBytes()) {
            throw new StreamFormatException(at, where, "vmdesc describes a section of " + n
                    + " bytes, over the device-state limit of " + limits.maxBufferedDeviceBytes());
        }
    }

    private static int elementCount(JsonNode f, long at, String where) {
        return f.has("array_len") ? intOf(f, "array_len", -1, at, where) : 1;
    }

    private static int intOf(JsonNode o, String key, int dflt, long at, String where) {
        JsonNode v = o.get(key);
        if (v == null) {
            if (dflt >= 0) {
                return dflt;
            }
            throw new StreamFormatException(at, where, "vmdesc field " + o.path("name").asText("?") + " has no \""
                    + key + "\"");
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 0) {
            throw new StreamFormatException(at, where, "vmdesc field " + o.path("name").asText("?") + " has \""
                    + key + "\": " + v + ", not a non-negative integer");
        }
        return v.asInt();
    }

    private String textOf(JsonNode o, String key, long at, String where) {
        JsonNode v = o.get(key);
        if (v == null || !v.isTextual() || v.asText().isEmpty() || v.asText().length() > limits.maxNameLength()) {
            throw new StreamFormatException(at, where, "vmdesc subsection without a usable \"" + key + "\"");
        }
        return v.asText();
    }

    /** Checks that the entry describes this section (same name and instance; same version when it has one). */
    static void matchEntry(JsonNode entry, int index, SectionHeader h) {
        String name = entry.path("name").asText();
        int inst = entry.path("instance_id").asInt();
        if (!name.equals(h.idstr()) || inst != h.instanceId()) {
            throw new StreamFormatException(h.offset(), h.describe(), "vmdesc device entry " + index + " describes '"
                    + SectionHeader.printable(name) + "' instance " + inst + ", not this section");
        }
        if (entry.has("version") && entry.get("version").asLong() != Integer.toUnsignedLong(h.versionId())) {
            throw new StreamFormatException(h.offset(), h.describe(), "vmdesc device entry " + index + " has version "
                    + entry.get("version") + ", the section has " + Integer.toUnsignedString(h.versionId()));
        }
    }

    /** Walks a FULL section whose header starts at {@code pos} with the field sizes of its vmdesc entry. */
    Walked walkVmdesc(byte[] b, int pos, int end, long base, SectionHeader h, JsonNode entry) {
        String where = h.describe();
        int bodyStart = pos + h.encodedLength();
        long len = vmdescBodyLength(entry, h.offset(), where);
        if (bodyStart + len > end) {
            throw new StreamFormatException(base + end, where, "stream ends inside the section: the vmdesc "
                    + "describes " + len + " bytes of field data (truncated, or a stale vmdesc)");
        }
        int bodyEnd = (int) (bodyStart + len);
        List<DeviceSection.SubsectionRef> refs = new ArrayList<>();
        boolean cpu = h.idstr().equals(CpuLayout.IDSTR);
        int[] cpregAt = cpu ? new int[]{-1, 0, 0} : null;
        List<CpuSubsection> cpuSubs = new ArrayList<>();
        int p = walkFields(b, bodyStart, entry, cpregAt, base, where);
        p = walkSubsections(b, p, bodyEnd, base, entry, 0, where, refs, cpu ? cpuSubs : null);
        if (p != bodyEnd) {
            throw new StreamFormatException(base + p, where, "vmdesc field sizes do not add up");
        }
        checkFooter(b, bodyEnd, end, base, h, "vmdesc field sizes");
        byte[] body = Arrays.copyOfRange(b, bodyStart, bodyEnd);
        CpuSection cpuSection = null;
        if (cpu) {
            int lenAt = cpregAt[0] < 0 ? -1 : cpregAt[0] - bodyStart;
            cpuSection = cpuFromVmdesc(h, base + bodyStart, body, lenAt, Math.max(0, cpregAt[1]),
                    Math.max(0, cpregAt[2]), cpuSubs);
        }
        DeviceSection s = new DeviceSection(h, body, cpuSection, DeviceSection.WalkMethod.VMDESC, refs);
        return new Walked(s, bodyEnd + WireFormat.FOOTER_BYTES);
    }

    /** Skips the fields of a vmsd, checking subsections nested in struct fields; records cpreg field offsets. */
    private int walkFields(byte[] b, int p, JsonNode vmsd, int[] cpregAt, long base, String where) {
        for (JsonNode f : vmsd.path("fields")) {
            String name = f.path("name").asText();
            int size = intOf(f, "size", -1, base + p, where);
            int count = elementCount(f, base + p, where);
            if (cpregAt != null) {
                if (name.equals(CpuLayout.CPREG_ARRAY_LEN_FIELD)) {
                    cpregAt[0] = p;
                } else if (name.equals(CpuLayout.CPREG_INDEXES_FIELD)) {
                    cpregAt[1] = count;
                } else if (name.equals(CpuLayout.CPREG_VALUES_FIELD)) {
                    cpregAt[2] = count;
                }
            }
            JsonNode struct = f.get("struct");
            if (struct != null && struct.path("subsections").size() > 0) {
                for (int i = 0; i < count; i++) {
                    int q = walkFields(b, p, struct, null, base, where);
                    q = walkSubsections(b, q, p + size, base, struct, 1, where, null, null);
                    if (q != p + size) {
                        throw new StreamFormatException(base + p, where, "vmdesc struct field " + name
                                + " has size " + size + " but its description adds up to " + (q - p));
                    }
                    p += size;
                }
            } else {
                p += size * count;
            }
        }
        return p;
    }

    private int walkSubsections(byte[] b, int p, int end, long base, JsonNode vmsd, int depth, String where,
                                List<DeviceSection.SubsectionRef> refs, List<CpuSubsection> cpuSubs) {
        for (JsonNode s : vmsd.path("subsections")) {
            String name = textOf(s, "vmsd_name", base + p, where);
            int version = intOf(s, "version", -1, base + p, where);
            int start = p;
            p = expectSubsectionHeader(b, p, end, base, name, version, where);
            int dataStart = p;
            p = walkFields(b, p, s, null, base, where);
            int dataEnd = p;
            List<CpuSubsection> children = cpuSubs == null ? null : new ArrayList<>();
            p = walkSubsections(b, p, end, base, s, depth + 1, where, null, children);
            if (p > end) {
                throw new StreamFormatException(base + end, where, "vmdesc subsection " + name
                        + " runs past the section");
            }
            if (refs != null) {
                refs.add(new DeviceSection.SubsectionRef(name, version, base + start, p - start));
            }
            if (cpuSubs != null) {
                byte[] data = Arrays.copyOfRange(b, dataStart, dataEnd);
                cpuSubs.add(new CpuSubsection(name, version, base + start, data, subsectionFields(name, data, s),
                        children));
            }
        }
        return p;
    }

    private int expectSubsectionHeader(byte[] b, int p, int end, long base, String name, int version, String where) {
        int need = WireFormat.SUBSECTION_HEADER_FIXED_BYTES + name.length();
        if (end - p < need) {
            throw new StreamFormatException(base + p, where, "vmdesc expects subsection '" + name
                    + "' here but the section ends");
        }
        byte[] nameBytes = name.getBytes(StandardCharsets.ISO_8859_1);
        boolean ok = Bytes.u8(b, p) == WireFormat.SUBSECTION && Bytes.u8(b, p + 1) == nameBytes.length
                && Bytes.regionEquals(b, p + 2, nameBytes);
        if (!ok) {
            throw new StreamFormatException(base + p, where, String.format("vmdesc expects subsection '%s' here, "
                    + "the stream has byte 0x%02x (stale vmdesc or corrupt section)", name, Bytes.u8(b, p)));
        }
        int v = Bytes.be32(b, p + 2 + nameBytes.length);
        if (v != version) {
            throw new StreamFormatException(base + p, where, "subsection '" + name + "' has version "
                    + Integer.toUnsignedString(v) + ", the vmdesc says " + version);
        }
        return p + need;
    }

    /** Decodes a cpu subsection's fields: by the known layout when it matches, else by the vmdesc's field list. */
    private static List<CpuField> subsectionFields(String name, byte[] data, JsonNode vmsd) {
        CpuLayout.SubsectionSpec spec = CpuLayout.SUBSECTIONS.get(name);
        if (spec != null && spec.dataBytes() == data.length) {
            return FieldSpec.decode(spec.fields(), data, 0);
        }
        List<FieldSpec> specs = new ArrayList<>();
        if (vmsd != null) {
            for (JsonNode f : vmsd.path("fields")) {
                int size = f.path("size").asInt();
                int count = f.has("array_len") ? f.path("array_len").asInt() : 1;
                if (size == 1 || size == 2 || size == 4 || size == 8) {
                    specs.add(new FieldSpec(f.path("name").asText(), size, count));
                } else {
                    specs.add(new FieldSpec(f.path("name").asText(), 1, size * count));
                }
            }
        }
        if (FieldSpec.totalBytes(specs) != data.length) {
            return List.of(new CpuField("data", 1, bytesAsLongs(data)));
        }
        return FieldSpec.decode(specs, data, 0);
    }

    private static long[] bytesAsLongs(byte[] data) {
        long[] v = new long[data.length];
        for (int i = 0; i < data.length; i++) {
            v[i] = data[i] & 0xff;
        }
        return v;
    }

    private CpuSection cpuFromVmdesc(SectionHeader h, long bodyOffset, byte[] body, int lenAt, int idxCount,
                                     int valCount, List<CpuSubsection> subs) {
        String where = h.describe();
        if (h.versionId() != CpuLayout.VERSION) {
            throw new StreamFormatException(h.offset(), where, "cpu section version "
                    + Integer.toUnsignedString(h.versionId()) + " is not the ARM vmstate_arm_cpu version "
                    + CpuLayout.VERSION + " this reader decodes");
        }
        if (lenAt != CpuLayout.ARRAY_LEN_OFFSET) {
            throw new StreamFormatException(bodyOffset, where, "the vmdesc places " + CpuLayout.CPREG_ARRAY_LEN_FIELD
                    + " at field offset " + lenAt + ", the ARM cpu layout has it at " + CpuLayout.ARRAY_LEN_OFFSET);
        }
        int n = body.length < CpuLayout.INDEXES_OFFSET ? 0 : Bytes.be32(body, CpuLayout.ARRAY_LEN_OFFSET);
        if ((idxCount != n || valCount != n) && n >= 0 && n <= limits.maxCpregCount()) {
            throw new StreamFormatException(bodyOffset + CpuLayout.ARRAY_LEN_OFFSET, where,
                    CpuLayout.CPREG_ARRAY_LEN_FIELD + " is " + n + " but the vmdesc records " + idxCount
                            + " indexes and " + valCount + " values");
        }
        CpuSection cpu = CpuSection.fromBody(h, bodyOffset, body, 0, body.length, subs, limits);
        long subsStart = bodyOffset + CpuLayout.mainFieldBytes(n);
        long firstSub = subs.isEmpty() ? bodyOffset + body.length : subs.get(0).offset();
        if (firstSub != subsStart) {
            throw new StreamFormatException(bodyOffset, where, "the vmdesc's fields after the cpreg arrays are "
                    + (firstSub - subsStart + CpuLayout.SUFFIX_BYTES) + " bytes, the ARM cpu layout has "
                    + CpuLayout.SUFFIX_BYTES);
        }
        return cpu;
    }

    // ---------------------------------------------------------------- without a vmdesc

    /** Walks an ARM cpu section (v22) by its known layout; subsections by name from {@link CpuLayout}. */
    Walked walkCpuLayout(byte[] b, int pos, int end, long base, SectionHeader h) {
        String where = h.describe();
        if (h.versionId() != CpuLayout.VERSION) {
            throw new StreamFormatException(h.offset(), where, "cpu section version "
                    + Integer.toUnsignedString(h.versionId()) + " has no known layout (the reader knows "
                    + CpuLayout.VERSION + "); a vmdesc trailer would describe it");
        }
        int bodyStart = pos + h.encodedLength();
        if (end - bodyStart < CpuLayout.INDEXES_OFFSET) {
            throw new StreamFormatException(base + end, where, "stream ends inside the cpu section (truncated)");
        }
        int n = Bytes.be32(b, bodyStart + CpuLayout.ARRAY_LEN_OFFSET);
        long lenOffset = base + bodyStart + CpuLayout.ARRAY_LEN_OFFSET;
        if (n < 0 || n > limits.maxCpregCount()) {
            throw new StreamFormatException(lenOffset, where, "cpreg_vmstate_array_len " + n
                    + " is outside 0.." + limits.maxCpregCount());
        }
        long mainEnd = (long) bodyStart + CpuLayout.mainFieldBytes(n);
        if (mainEnd > end) {
            throw new StreamFormatException(base + end, where, "stream ends inside the cpu section's fields "
                    + "(truncated; cpreg_vmstate_array_len " + n + ")");
        }
        List<CpuSubsection> subs = new ArrayList<>();
        List<DeviceSection.SubsectionRef> refs = new ArrayList<>();
        int p = layoutSubsections(b, (int) mainEnd, end, base, CpuLayout.IDSTR, 0, where, subs);
        for (CpuSubsection s : subs) {
            refs.add(new DeviceSection.SubsectionRef(s.name(), s.version(), s.offset(), s.encodedLength()));
        }
        checkFooter(b, p, end, base, h, "ARM cpu layout");
        byte[] body = Arrays.copyOfRange(b, bodyStart, p);
        CpuSection cpu = CpuSection.fromBody(h, base + bodyStart, body, 0, body.length, subs, limits);
        DeviceSection s = new DeviceSection(h, body, cpu, DeviceSection.WalkMethod.CPU_LAYOUT, refs);
        return new Walked(s, p + WireFormat.FOOTER_BYTES);
    }

    private int layoutSubsections(byte[] b, int p, int end, long base, String parent, int depth, String where,
                                  List<CpuSubsection> out) {
        String prefix = parent + "/";
        while (p < end && Bytes.u8(b, p) == WireFormat.SUBSECTION) {
            if (end - p < 2) {
                throw new StreamFormatException(base + end, where, "stream ends inside a subsection header (truncated)");
            }
            int len = Bytes.u8(b, p + 1);
            if (end - p < WireFormat.SUBSECTION_HEADER_FIXED_BYTES + len) {
                throw new StreamFormatException(base + end, where, "stream ends inside a subsection header (truncated)");
            }
            String name = new String(b, p + 2, len, StandardCharsets.ISO_8859_1);
            if (!name.startsWith(prefix)) {
                if (depth > 0) {
                    return p; // a sibling of our parent
                }
                throw new StreamFormatException(base + p, where, "subsection '" + SectionHeader.printable(name)
                        + "' does not belong to the cpu section");
            }
            CpuLayout.SubsectionSpec spec = CpuLayout.SUBSECTIONS.get(name);
            if (spec == null || !spec.parent().equals(parent)) {
                if (depth > 0 && spec != null) {
                    return p;
                }
                throw new StreamFormatException(base + p, where, "unknown cpu subsection '"
                        + SectionHeader.printable(name) + "' (no vmdesc to describe it; known: "
                        + String.join(", ", CpuLayout.SUBSECTIONS.keySet().stream().sorted().toList()) + ")");
            }
            if (depth + 1 > limits.maxSubsectionDepth()) {
                throw new StreamFormatException(base + p, where, "subsections nest deeper than "
                        + limits.maxSubsectionDepth());
            }
            int version = Bytes.be32(b, p + 2 + len);
            if (version != spec.version()) {
                throw new StreamFormatException(base + p, where, "subsection '" + name + "' version "
                        + Integer.toUnsignedString(version) + " has no known layout (expected " + spec.version() + ")");
            }
            int dataStart = p + WireFormat.SUBSECTION_HEADER_FIXED_BYTES + len;
            int dataEnd = dataStart + spec.dataBytes();
            if (dataEnd > end) {
                throw new StreamFormatException(base + end, where, "stream ends inside subsection '" + name
                        + "' (truncated)");
            }
            byte[] data = Arrays.copyOfRange(b, dataStart, dataEnd);
            List<CpuSubsection> children = new ArrayList<>();
            int next = layoutSubsections(b, dataEnd, end, base, name, depth + 1, where, children);
            out.add(new CpuSubsection(name, version, base + p, data, FieldSpec.decode(spec.fields(), data, 0),
                    children));
            p = next;
        }
        return p;
    }

    /**
     * Ends a non-cpu section without a vmdesc: the first {@code 7e <section id>} after which comes the region end,
     * a plausible FULL header or a plausible command. Returns the footer's index.
     */
    Walked walkFooterScan(byte[] b, int pos, int end, long base, SectionHeader h) {
        int bodyStart = pos + h.encodedLength();
        // strict first; then accept EOF followed by anything, so that junk after EOF is reported as such
        for (boolean lenient : new boolean[]{false, true}) {
            for (int q = bodyStart; q + WireFormat.FOOTER_BYTES <= end; q++) {
                if (Bytes.u8(b, q) == WireFormat.SECTION_FOOTER && Bytes.be32(b, q + 1) == h.sectionId()
                        && plausibleNext(b, q + WireFormat.FOOTER_BYTES, end, lenient)) {
                    byte[] body = Arrays.copyOfRange(b, bodyStart, q);
                    DeviceSection s = new DeviceSection(h, body, null, DeviceSection.WalkMethod.FOOTER_SCAN,
                            List.of());
                    return new Walked(s, q + WireFormat.FOOTER_BYTES);
                }
            }
        }
        throw new StreamFormatException(base + end, h.describe(), "stream ends without this section's footer "
                + "(truncated, or corrupt: without a vmdesc a non-cpu section ends at its footer followed by the next "
                + "section or EOF)");
    }

    private boolean plausibleNext(byte[] b, int p, int end, boolean lenient) {
        if (p == end) {
            return true;
        }
        int type = Bytes.u8(b, p);
        if (type == WireFormat.EOF) {
            // EOF at the very end, or EOF + a trailer that runs exactly to the end
            return lenient || p + 1 == end || (end - p >= 1 + WireFormat.VMDESC_HEADER_BYTES
                    && Bytes.u8(b, p + 1) == WireFormat.VMDESCRIPTION
                    && p + 1 + WireFormat.VMDESC_HEADER_BYTES + (Bytes.be32(b, p + 2) & 0xffff_ffffL) == end);
        }
        if (type == WireFormat.SECTION_FULL) {
            if (end - p < WireFormat.SECTION_ID_BYTES + 1) {
                return false;
            }
            int len = Bytes.u8(b, p + WireFormat.SECTION_ID_BYTES);
            return len > 0 && len <= limits.maxNameLength() && end - p >= WireFormat.FULL_HEADER_FIXED_BYTES + len
                    && WireFormat.isPrintableName(b, p + WireFormat.SECTION_ID_BYTES + 1, len);
        }
        if (type == WireFormat.COMMAND) {
            if (end - p < WireFormat.COMMAND_HEADER_BYTES) {
                return false;
            }
            int cmd = Bytes.be16(b, p + 1);
            int len = Bytes.be16(b, p + 3);
            int expect = VmCommand.expectedLength(cmd);
            return VmCommand.isKnown(cmd) && cmd != VmCommand.PACKAGED && (expect < 0 || expect == len)
                    && end - p >= WireFormat.COMMAND_HEADER_BYTES + len;
        }
        return false;
    }
}
