package dev.regshim.stream;

import java.util.Arrays;

/**
 * Walks a buffered run of device state (the FULL sections after RAM, any commands among them, and possibly EOF and
 * the trailer), emitting the events in order. With a vmdesc the region ends exactly where EOF was found; without
 * one it is everything up to the end of input.
 */
final class DeviceRegion {

    private final SectionWalker walker;
    private final StreamLimits limits;
    private final StreamVisitor visitor;
    private int sections;

    DeviceRegion(StreamLimits limits, StreamVisitor visitor) {
        this.walker = new SectionWalker(limits);
        this.limits = limits;
        this.visitor = visitor;
    }

    /** Walks {@code b[0, end)}, which ends just before the EOF byte, with the vmdesc's field sizes. */
    void walkWithVmdesc(byte[] b, int end, long base, Vmdesc vmdesc) {
        int p = 0;
        while (p < end) {
            int type = Bytes.u8(b, p);
            if (type == WireFormat.SECTION_FULL) {
                SectionHeader h = walker.fullHeader(b, p, end, base);
                countSection(h);
                int k = sections - 1;
                if (k >= vmdesc.deviceCount()) {
                    throw new StreamFormatException(h.offset(), h.describe(), "the vmdesc describes only "
                            + vmdesc.deviceCount() + " device sections");
                }
                SectionWalker.matchEntry(vmdesc.device(k), k, h);
                SectionWalker.Walked w = walker.walkVmdesc(b, p, end, base, h, vmdesc.device(k));
                visitor.deviceSection(w.section());
                p = w.end();
            } else if (type == WireFormat.COMMAND) {
                p = command(b, p, end, base);
            } else {
                throw unexpected(b, p, base);
            }
        }
        if (sections != vmdesc.deviceCount()) {
            throw new StreamFormatException(base + end, null, "the stream has " + sections
                    + " device sections but the vmdesc describes " + vmdesc.deviceCount());
        }
    }

    /**
     * Walks {@code b[0, end)} without a vmdesc: cpu sections by layout, others up to their footer. When
     * {@code throughEof}, the region runs to the end of input and must contain EOF and optionally the trailer.
     */
    void walkByLayout(byte[] b, int end, long base, boolean throughEof) {
        int p = 0;
        while (p < end) {
            int type = Bytes.u8(b, p);
            if (type == WireFormat.SECTION_FULL) {
                SectionHeader h = walker.fullHeader(b, p, end, base);
                countSection(h);
                SectionWalker.Walked w = h.idstr().equals(CpuLayout.IDSTR)
                        ? walker.walkCpuLayout(b, p, end, base, h)
                        : walker.walkFooterScan(b, p, end, base, h);
                visitor.deviceSection(w.section());
                p = w.end();
            } else if (type == WireFormat.COMMAND) {
                p = command(b, p, end, base);
            } else if (type == WireFormat.EOF && throughEof) {
                visitor.eof(base + p);
                trailer(b, p + 1, end, base);
                return;
            } else {
                throw unexpected(b, p, base);
            }
        }
        if (throughEof) {
            throw new StreamFormatException(base + end, null, "stream ends without the EOF marker (truncated)");
        }
    }

    private void trailer(byte[] b, int p, int end, long base) {
        if (p == end) {
            return;
        }
        if (Bytes.u8(b, p) != WireFormat.VMDESCRIPTION) {
            throw new StreamFormatException(base + p, null, String.format("junk after EOF: byte 0x%02x where only "
                    + "the vmdesc trailer (0x06) or the end of the stream may follow", Bytes.u8(b, p)));
        }
        if (end - p < WireFormat.VMDESC_HEADER_BYTES) {
            throw new StreamFormatException(base + end, "vmdesc", "stream ends inside the trailer header (truncated)");
        }
        long len = Bytes.be32(b, p + 1) & 0xffff_ffffL;
        if (len > limits.maxVmdescBytes()) {
            throw new StreamFormatException(base + p + 1, "vmdesc", "trailer length " + len + " exceeds the limit of "
                    + limits.maxVmdescBytes());
        }
        long jsonEnd = p + WireFormat.VMDESC_HEADER_BYTES + len;
        if (jsonEnd > end) {
            throw new StreamFormatException(base + end, "vmdesc", "stream ends inside the trailer: " + len
                    + " bytes announced, " + (end - p - WireFormat.VMDESC_HEADER_BYTES) + " present (truncated)");
        }
        if (jsonEnd < end) {
            throw new StreamFormatException(base + jsonEnd, null, (end - jsonEnd)
                    + " bytes of junk after the vmdesc trailer");
        }
        byte[] json = Arrays.copyOfRange(b, p + WireFormat.VMDESC_HEADER_BYTES, (int) jsonEnd);
        visitor.vmdesc(Vmdesc.parse(json, base + p, limits));
    }

    private void countSection(SectionHeader h) {
        if (++sections > limits.maxDeviceSections()) {
            throw new StreamFormatException(h.offset(), h.describe(), "more than " + limits.maxDeviceSections()
                    + " device sections");
        }
    }

    private int command(byte[] b, int p, int end, long base) {
        if (end - p < WireFormat.COMMAND_HEADER_BYTES) {
            throw new StreamFormatException(base + p, null, "stream ends inside a command header (truncated)");
        }
        int cmd = Bytes.be16(b, p + 1);
        int len = Bytes.be16(b, p + 3);
        StreamDecoder.checkCommand(cmd, len, base + p);
        if (cmd == VmCommand.PACKAGED) {
            throw new StreamFormatException(base + p, null, "PACKAGED command among the device sections is not "
                    + "supported");
        }
        int dataEnd = p + WireFormat.COMMAND_HEADER_BYTES + len;
        if (dataEnd > end) {
            throw new StreamFormatException(base + end, null, "stream ends inside command " + VmCommand.name(cmd)
                    + " (truncated)");
        }
        visitor.command(new VmCommand(base + p, cmd, Arrays.copyOfRange(b, p + WireFormat.COMMAND_HEADER_BYTES,
                dataEnd)));
        return dataEnd;
    }

    private static StreamFormatException unexpected(byte[] b, int p, long base) {
        int t = Bytes.u8(b, p);
        return new StreamFormatException(base + p, null, String.format("unexpected %s record (type byte 0x%02x) "
                + "among the device sections", WireFormat.typeName(t), t));
    }
}
