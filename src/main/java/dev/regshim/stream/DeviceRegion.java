package dev.regshim.stream;

import java.nio.ByteBuffer;

/**
 * Walks a buffered run of device state (the FULL sections after RAM, any commands among them, and possibly EOF and
 * the trailer), emitting the events in order. With a vmdesc the region ends exactly where EOF was found; without
 * one it is everything up to the end of input. Positions are buffer indexes; {@code base} is the stream offset of
 * index 0.
 */
final class DeviceRegion {

    private final StreamLimits limits;
    private final StreamVisitor visitor;
    private int sections;

    DeviceRegion(StreamLimits limits, StreamVisitor visitor) {
        this.limits = limits;
        this.visitor = visitor;
    }

    /** Walks {@code b[0, end)}, which ends just before the EOF byte, with the vmdesc's field sizes. */
    void walkWithVmdesc(ByteBuffer b, int end, long base, Vmdesc vmdesc) {
        VmdescWalk walk = new VmdescWalk(limits);
        walkRecords(b, end, base, false, (h, p) -> {
            int k = sections - 1;
            if (k >= vmdesc.deviceCount()) {
                throw new StreamFormatException(h.offset(), h.describe(), "the vmdesc describes only "
                        + vmdesc.deviceCount() + " device sections");
            }
            vmdesc.device(k).checkDescribes(h, k);
            return walk.walk(b, p, end, base, h, vmdesc.device(k));
        });
        if (sections != vmdesc.deviceCount()) {
            throw new StreamFormatException(base + end, null, "the stream has " + sections
                    + " device sections but the vmdesc describes " + vmdesc.deviceCount());
        }
    }

    /**
     * Walks {@code b[0, end)} without a vmdesc: cpu sections by layout, others up to their footer. When
     * {@code throughEof}, the region runs to the end of input and must contain EOF and optionally the trailer.
     */
    void walkByLayout(ByteBuffer b, int end, long base, boolean throughEof) {
        CpuLayoutWalk cpu = new CpuLayoutWalk(limits);
        FooterScan other = new FooterScan(limits);
        int eof = walkRecords(b, end, base, throughEof, (h, p) -> h.idstr().equals(CpuLayout.IDSTR)
                ? cpu.walk(b, p, end, base, h)
                : other.walk(b, p, end, base, h));
        if (!throughEof) {
            return;
        }
        if (eof < 0) {
            throw new StreamFormatException(base + end, null, "stream ends without the EOF marker (truncated)");
        }
        visitor.eof(base + eof);
        if (eof + 1 < end) {
            visitor.vmdesc(VmdescTrailer.readWhole(b, eof + 1, end, base, limits));
        }
    }

    /** Delimits the section whose header {@code h} starts at index {@code p}. */
    @FunctionalInterface
    private interface SectionWalk {
        WalkedSection walk(SectionHeader h, int p);
    }

    /**
     * Emits the sections and commands of {@code b[0, end)}; returns the index of an EOF byte when {@code eofEnds}
     * (-1 when there is none).
     */
    private int walkRecords(ByteBuffer b, int end, long base, boolean eofEnds, SectionWalk sectionWalk) {
        int p = 0;
        while (p < end) {
            int type = b.get(p) & 0xff;
            if (type == WireFormat.SECTION_FULL) {
                SectionHeader h = SectionHeader.readFull(b, p, end, base + p, limits);
                countSection(h);
                WalkedSection w = sectionWalk.walk(h, p);
                visitor.deviceSection(w.section());
                p = w.end();
            } else if (type == WireFormat.COMMAND) {
                p = command(b, p, end, base);
            } else if (type == WireFormat.EOF && eofEnds) {
                return p;
            } else {
                throw unexpected(type, base + p);
            }
        }
        return -1;
    }

    private void countSection(SectionHeader h) {
        if (++sections > limits.maxDeviceSections()) {
            throw new StreamFormatException(h.offset(), h.describe(), "more than " + limits.maxDeviceSections()
                    + " device sections");
        }
    }

    private int command(ByteBuffer b, int p, int end, long base) {
        if (end - p < WireFormat.COMMAND_HEADER_BYTES) {
            throw new StreamFormatException(base + p, null, "stream ends inside a command header (truncated)");
        }
        int dataEnd = p + VmCommand.checkedLength(b, p, base + p);
        int cmd = VmCommand.cmdAt(b, p);
        if (cmd == VmCommand.PACKAGED) {
            throw new StreamFormatException(base + p, null, "PACKAGED command among the device sections is not "
                    + "supported");
        }
        if (dataEnd > end) {
            throw new StreamFormatException(base + end, null, "stream ends inside command " + VmCommand.name(cmd)
                    + " (truncated)");
        }
        visitor.command(VmCommand.read(b, p, base + p));
        return dataEnd;
    }

    private static StreamFormatException unexpected(int type, long offset) {
        return new StreamFormatException(offset, null, String.format("unexpected %s record (type byte 0x%02x) "
                + "among the device sections", WireFormat.typeName(type), type));
    }
}
