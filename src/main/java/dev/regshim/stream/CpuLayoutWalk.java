package dev.regshim.stream;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Delimits and decodes an ARM cpu section (v22) held whole in a buffer without a vmdesc
 * ({@link DeviceSection.WalkMethod#CPU_LAYOUT}): the main fields by {@link CpuLayout}, the cpreg arrays by their
 * length field, then the subsections by name from {@link CpuLayout#SUBSECTIONS}, then the footer. Positions are
 * buffer indexes; {@code base} is the stream offset of index 0.
 */
final class CpuLayoutWalk {

    private static final String HOW = "ARM cpu layout";

    private final StreamLimits limits;

    CpuLayoutWalk(StreamLimits limits) {
        this.limits = limits;
    }

    /** Walks the cpu section whose header {@code h} starts at {@code pos}. */
    WalkedSection walk(ByteBuffer b, int pos, int end, long base, SectionHeader h) {
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
        int n = b.getInt(bodyStart + CpuLayout.ARRAY_LEN_OFFSET);
        long lenOffset = base + bodyStart + CpuLayout.ARRAY_LEN_OFFSET;
        if (n < 0 || n > limits.maxCpregCount()) {
            throw new StreamFormatException(lenOffset, where, CpuLayout.CPREG_ARRAY_LEN_FIELD + " " + n
                    + " is outside 0.." + limits.maxCpregCount());
        }
        long mainEnd = (long) bodyStart + CpuLayout.mainFieldBytes(n);
        if (mainEnd > end) {
            throw new StreamFormatException(base + end, where, "stream ends inside the cpu section's fields "
                    + "(truncated; " + CpuLayout.CPREG_ARRAY_LEN_FIELD + " " + n + ")");
        }
        List<CpuSubsection> subs = new ArrayList<>();
        int p = subsections(b, (int) mainEnd, end, base, CpuLayout.IDSTR, 0, where, subs);
        List<DeviceSection.SubsectionRef> refs = new ArrayList<>();
        for (CpuSubsection s : subs) {
            refs.add(new DeviceSection.SubsectionRef(s.name(), s.version(), s.offset(), s.encodedLength()));
        }
        SectionFooter.checkAfterFields(b, p, end, base, h, HOW);
        byte[] body = new byte[p - bodyStart];
        b.get(bodyStart, body);
        CpuSection cpu = CpuSection.fromBody(h, base + bodyStart, body, 0, body.length, subs, limits);
        DeviceSection s = new DeviceSection(h, body, cpu, DeviceSection.WalkMethod.CPU_LAYOUT, refs);
        return new WalkedSection(s, p + WireFormat.FOOTER_BYTES);
    }

    /** The be32 element count a counted subsection's data starts with, checked against the cpreg bound. */
    private int count(ByteBuffer b, int dataStart, int end, long base, String name, String where) {
        if (end - dataStart < Integer.BYTES) {
            throw new StreamFormatException(base + end, where, "stream ends inside subsection '" + name + "' (truncated)");
        }
        int n = b.getInt(dataStart);
        if (n < 0 || n > limits.maxCpregCount()) {
            throw new StreamFormatException(base + dataStart, where, "subsection '" + name + "': "
                    + CpuLayout.SYSREG128_LEN_FIELD + " " + n + " is outside 0.." + limits.maxCpregCount());
        }
        return n;
    }

    /** The subsections of {@code parent} from {@code p} on, by name; returns where the first other thing starts. */
    private int subsections(ByteBuffer b, int p, int end, long base, String parent, int depth, String where,
                            List<CpuSubsection> out) {
        String prefix = parent + "/";
        while (p < end && SubsectionHeader.startsAt(b, p)) {
            if (end - p < SubsectionHeader.bytesNeeded(b, p, end - p)) {
                throw new StreamFormatException(base + end, where, "stream ends inside a subsection header (truncated)");
            }
            String name = SubsectionHeader.name(b, p);
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
            int version = SubsectionHeader.version(b, p);
            if (version != spec.version()) {
                throw new StreamFormatException(base + p, where, "subsection '" + name + "' version "
                        + Integer.toUnsignedString(version) + " has no known layout (expected " + spec.version() + ")");
            }
            int dataStart = p + SubsectionHeader.bytes(name.length());
            List<FieldSpec> fields = spec.fields();
            if (spec.counted()) {
                fields = spec.fieldsFor(count(b, dataStart, end, base, name, where));
            }
            int dataBytes = FieldSpec.totalBytes(fields);
            long dataEnd = (long) dataStart + dataBytes;
            if (dataEnd > end) {
                throw new StreamFormatException(base + end, where, "stream ends inside subsection '" + name
                        + "' (truncated)");
            }
            byte[] data = new byte[dataBytes];
            b.get(dataStart, data);
            List<CpuSubsection> children = new ArrayList<>();
            int next = subsections(b, (int) dataEnd, end, base, name, depth + 1, where, children);
            out.add(new CpuSubsection(name, version, base + p, data, FieldSpec.decode(fields, data, 0),
                    children));
            p = next;
        }
        return p;
    }
}
