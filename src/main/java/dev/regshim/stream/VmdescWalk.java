package dev.regshim.stream;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Delimits one FULL section held whole in a buffer with the field sizes of its vmdesc entry
 * ({@link DeviceSection.WalkMethod#VMDESC}): the fields, each subsection's header where the entry says it is, the
 * footer after them. A cpu section is decoded too, and its layout cross-checked with {@link CpuLayout}. Positions are
 * buffer indexes; {@code base} is the stream offset of index 0.
 */
final class VmdescWalk {

    private static final String HOW = "vmdesc field sizes";

    private final StreamLimits limits;

    VmdescWalk(StreamLimits limits) {
        this.limits = limits;
    }

    /** The wire length of the section {@code h} introduces: header, the field data {@code entry} gives, footer. */
    long sectionLength(SectionHeader h, Vmsd entry) {
        return h.encodedLength() + entry.bodyLength(limits, h.offset(), h.describe()) + WireFormat.FOOTER_BYTES;
    }

    /** Walks the FULL section whose header {@code h} starts at {@code pos}. */
    WalkedSection walk(ByteBuffer b, int pos, int end, long base, SectionHeader h, Vmsd entry) {
        String where = h.describe();
        int bodyStart = pos + h.encodedLength();
        long len = entry.bodyLength(limits, h.offset(), where);
        if (bodyStart + len > end) {
            throw new StreamFormatException(base + end, where, "stream ends inside the section: the vmdesc "
                    + "describes " + len + " bytes of field data (truncated, or a stale vmdesc)");
        }
        int bodyEnd = (int) (bodyStart + len);
        boolean isCpu = h.idstr().equals(CpuLayout.IDSTR);
        CpregFields cpregs = isCpu ? new CpregFields() : null;
        List<DeviceSection.SubsectionRef> refs = new ArrayList<>();
        List<CpuSubsection> cpuSubs = new ArrayList<>();
        Walk w = new Walk(b, base, where);
        int p = w.fields(bodyStart, entry, cpregs);
        p = w.subsections(p, bodyEnd, entry, refs, isCpu ? cpuSubs : null);
        if (p != bodyEnd) {
            throw new StreamFormatException(base + p, where, "vmdesc field sizes do not add up");
        }
        SectionFooter.checkAfterFields(b, bodyEnd, end, base, h, HOW);
        byte[] body = new byte[bodyEnd - bodyStart];
        b.get(bodyStart, body);
        CpuSection cpu = isCpu ? cpu(h, base + bodyStart, body, cpregs, bodyStart, cpuSubs) : null;
        DeviceSection s = new DeviceSection(h, body, cpu, DeviceSection.WalkMethod.VMDESC, refs);
        return new WalkedSection(s, bodyEnd + WireFormat.FOOTER_BYTES);
    }

    /** Where the vmdesc puts the cpreg fields of a cpu section: the array_len field's index, the arrays' lengths. */
    private static final class CpregFields {
        int lengthAt = -1;
        int indexes;
        int values;

        void see(String name, int at, int count) {
            if (name.equals(CpuLayout.CPREG_ARRAY_LEN_FIELD)) {
                lengthAt = at;
            } else if (name.equals(CpuLayout.CPREG_INDEXES_FIELD)) {
                indexes = count;
            } else if (name.equals(CpuLayout.CPREG_VALUES_FIELD)) {
                values = count;
            }
        }
    }

    /** One walk over one buffer: the fields and subsections a description gives, from a position. */
    private final class Walk {
        private final ByteBuffer b;
        private final long base;
        private final String where;

        Walk(ByteBuffer b, long base, String where) {
            this.b = b;
            this.base = base;
            this.where = where;
        }

        /** Skips the fields of {@code vmsd}, checking subsections nested in struct fields; notes the cpreg fields. */
        int fields(int p, Vmsd vmsd, CpregFields cpregs) {
            for (Vmsd.Field f : vmsd.fields()) {
                String name = f.name();
                int size = f.size(base + p, where);
                int count = f.count(base + p, where);
                if (cpregs != null) {
                    cpregs.see(name, p, count);
                }
                Vmsd struct = f.struct();
                if (struct != null && struct.hasSubsections()) {
                    for (int i = 0; i < count; i++) {
                        int q = fields(p, struct, null);
                        q = subsections(q, p + size, struct, null, null);
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

        int subsections(int p, int end, Vmsd vmsd, List<DeviceSection.SubsectionRef> refs,
                        List<CpuSubsection> cpuSubs) {
            for (Vmsd s : vmsd.subsections()) {
                String name = s.subsectionName(limits, base + p, where);
                int version = s.version(base + p, where);
                int start = p;
                p = expectHeader(p, end, name, version);
                int dataStart = p;
                p = fields(p, s, null);
                int dataEnd = p;
                List<CpuSubsection> children = cpuSubs == null ? null : new ArrayList<>();
                p = subsections(p, end, s, null, children);
                if (p > end) {
                    throw new StreamFormatException(base + end, where, "vmdesc subsection " + name
                            + " runs past the section");
                }
                if (refs != null) {
                    refs.add(new DeviceSection.SubsectionRef(name, version, base + start, p - start));
                }
                if (cpuSubs != null) {
                    byte[] data = new byte[dataEnd - dataStart];
                    b.get(dataStart, data);
                    cpuSubs.add(new CpuSubsection(name, version, base + start, data, subsectionFields(name, data, s),
                            children));
                }
            }
            return p;
        }

        private int expectHeader(int p, int end, String name, int version) {
            int need = SubsectionHeader.bytes(name.length());
            if (end - p < need) {
                throw new StreamFormatException(base + p, where, "vmdesc expects subsection '" + name
                        + "' here but the section ends");
            }
            if (!SubsectionHeader.names(b, p, name.getBytes(StandardCharsets.ISO_8859_1))) {
                throw new StreamFormatException(base + p, where, String.format("vmdesc expects subsection '%s' here, "
                        + "the stream has byte 0x%02x (stale vmdesc or corrupt section)", name, b.get(p) & 0xff));
            }
            int v = SubsectionHeader.version(b, p);
            if (v != version) {
                throw new StreamFormatException(base + p, where, "subsection '" + name + "' has version "
                        + Integer.toUnsignedString(v) + ", the vmdesc says " + version);
            }
            return p + need;
        }
    }

    /** Decodes a cpu subsection's fields: by the known layout when it matches, else by the vmdesc's field list. */
    private static List<CpuField> subsectionFields(String name, byte[] data, Vmsd vmsd) {
        CpuLayout.SubsectionSpec spec = CpuLayout.SUBSECTIONS.get(name);
        int perElement = CpuLayout.CPREG_BYTES + CpuLayout.SYSREG128_VALUE_BYTES;
        if (spec != null && spec.counted() && data.length >= Integer.BYTES
                && Bytes.be32(data, 0) >= 0 && Bytes.be32(data, 0) <= data.length / perElement) {
            List<FieldSpec> counted = spec.fieldsFor(Bytes.be32(data, 0));
            if (FieldSpec.totalBytes(counted) == data.length) {
                return FieldSpec.decode(counted, data, 0);
            }
        } else if (spec != null && spec.dataBytes() == data.length) {
            return FieldSpec.decode(spec.fields(), data, 0);
        }
        List<FieldSpec> specs = vmsd.declaredFieldSpecs();
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

    /** The cpu section, after checking that the vmdesc describes the layout this reader decodes. */
    private CpuSection cpu(SectionHeader h, long bodyOffset, byte[] body, CpregFields cpregs, int bodyStart,
                           List<CpuSubsection> subs) {
        String where = h.describe();
        if (h.versionId() != CpuLayout.VERSION) {
            throw new StreamFormatException(h.offset(), where, "cpu section version "
                    + Integer.toUnsignedString(h.versionId()) + " is not the ARM vmstate_arm_cpu version "
                    + CpuLayout.VERSION + " this reader decodes");
        }
        int lenAt = cpregs.lengthAt < 0 ? -1 : cpregs.lengthAt - bodyStart;
        if (lenAt != CpuLayout.ARRAY_LEN_OFFSET) {
            throw new StreamFormatException(bodyOffset, where, "the vmdesc places " + CpuLayout.CPREG_ARRAY_LEN_FIELD
                    + " at field offset " + lenAt + ", the ARM cpu layout has it at " + CpuLayout.ARRAY_LEN_OFFSET);
        }
        int idxCount = Math.max(0, cpregs.indexes);
        int valCount = Math.max(0, cpregs.values);
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
}
