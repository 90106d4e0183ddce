package dev.regshim.stream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The two ends of a bare stream file, read without reading its RAM: the head (header, configuration and the RAM START
 * section with its block list) from the front, and the device state from the back. The vmdesc trailer is found at the
 * end of the file ({@link StreamReader#readTrailer}); its field sizes give the exact length of every device section,
 * so the device state occupies
 * <pre>
 *   deviceStart = eofOffset - sum(FULL header + vmdesc field data + footer)      up to the EOF byte
 * </pre>
 * The layout is accepted only when it is confirmed at both ends: the {@value #RAM_END_BYTES} bytes before
 * {@code deviceStart} end the last RAM section ({@code be64 EOS}, then the footer {@code 7e id} with the RAM START
 * section's id) and the region walks with the vmdesc (each header matching its device entry, subsection markers and
 * footers in place) exactly up to the EOF byte. Anything else (no trailer, commands among the devices, a damaged
 * stream) gives an empty result: the caller then reads the whole stream, which also reports what is wrong. The RAM in
 * between is not looked at: a caller that relies on it must still decode it (the rewriter decodes its output in full).
 * What is read: at most {@link StreamLimits#maxHeadBytes()} bytes of head, the trailer, and the device state.
 */
public final class StreamEnds {

    /** The end of the last RAM section: the EOS record and the footer. */
    public static final int RAM_END_BYTES = RamFlags.RECORD_HEADER_BYTES + WireFormat.FOOTER_BYTES;
    private static final int HEAD_CHUNK = 16 << 10;

    /**
     * What the two ends hold.
     *
     * @param ramStart      the RAM START section (its header, offset and wire length, block list included)
     * @param deviceStart   offset of the first device section: every byte before it is RAM (and the head)
     * @param devices       the device sections in stream order, walked with the vmdesc
     * @param eofOffset     offset of the EOF byte
     * @param totalBytes    the file's length
     */
    public record Ends(Configuration configuration, int pageSize, StreamSummary.SectionInfo ramStart,
                       RamBlockList ramBlocks, long deviceStart, List<DeviceSection> devices, long eofOffset,
                       Vmdesc vmdesc, long totalBytes) {
        public Ends {
            devices = List.copyOf(devices);
        }

        /** The ARM cpu sections, in stream order. */
        public List<CpuSection> cpus() {
            List<CpuSection> out = new ArrayList<>();
            devices.forEach(d -> {
                if (d.cpu() != null) {
                    out.add(d.cpu());
                }
            });
            return out;
        }

        /**
         * A summary of what was read; RAM pages were not read, so the block statistics count no pages and the
         * section list has the RAM START section and the device sections only.
         */
        public StreamSummary summary() {
            List<StreamSummary.RamBlockStats> stats = new ArrayList<>();
            ramBlocks.blocks().forEach(b -> stats.add(new StreamSummary.RamBlockStats(b, 0, 0)));
            List<StreamSummary.SectionInfo> sections = new ArrayList<>();
            sections.add(ramStart);
            for (DeviceSection d : devices) {
                SectionHeader h = d.header();
                sections.add(new StreamSummary.SectionInfo(h.offset(), d.length(), h.type(), h.sectionId(),
                        h.idstr(), h.instanceId(), h.versionId(), d.method()));
            }
            return new StreamSummary(totalBytes, configuration, pageSize, stats, sections, List.of(), cpus(), vmdesc,
                    eofOffset, 0);
        }
    }

    private StreamEnds() {
    }

    /** Reads both ends of a bare stream file; empty when the layout cannot be confirmed (see the class comment). */
    public static Optional<Ends> read(FileChannel ch, StreamLimits limits) throws IOException {
        return read(ch, limits, -1);
    }

    /**
     * Reads both ends of a bare stream file being written whose device state must start at {@code deviceStart}: the
     * head and everything from {@code deviceStart} on are written, the RAM before it may not be yet, so its last bytes
     * are not looked at (the caller decodes the RAM in full, up to {@code deviceStart}). Empty when the trailer, the
     * head or the device state do not confirm that layout.
     */
    public static Optional<Ends> readWithDeviceStart(FileChannel ch, long deviceStart, StreamLimits limits)
            throws IOException {
        return read(ch, limits, deviceStart);
    }

    /** How many bytes from the front the head's reading takes when the head ends at {@code headEnd}. */
    public static long headBytesRead(long headEnd) {
        return (headEnd + HEAD_CHUNK - 1) / HEAD_CHUNK * HEAD_CHUNK;
    }

    private static Optional<Ends> read(FileChannel ch, StreamLimits limits, long knownStart) throws IOException {
        try {
            Optional<Vmdesc> trailer = StreamReader.readTrailer(ch, limits);
            if (trailer.isEmpty()) {
                return Optional.empty();
            }
            Head head = readHead(ch, limits);
            if (head == null) {
                return Optional.empty();
            }
            Vmdesc vmdesc = trailer.get();
            long eof = vmdesc.offset() - 1;
            long deviceBytes = deviceBytes(vmdesc, limits);
            long deviceStart = eof - deviceBytes;
            long headEnd = head.ramStart.end();
            if (deviceBytes < 0 || deviceStart - RAM_END_BYTES < headEnd
                    || (knownStart >= 0 && deviceStart != knownStart)) {
                return Optional.empty();
            }
            if (knownStart < 0
                    && !endsRam(readFully(ch, deviceStart - RAM_END_BYTES, RAM_END_BYTES), head.ramStart.sectionId())) {
                return Optional.empty();
            }
            ByteBuffer region = readFully(ch, deviceStart, (int) deviceBytes);
            List<DeviceSection> devices = new ArrayList<>();
            StreamVisitor collect = new StreamVisitor() {
                @Override
                public void deviceSection(DeviceSection s) {
                    devices.add(s);
                }

                @Override
                public void command(VmCommand c) {
                    throw new StreamFormatException(c.offset(), null, "command among the device sections");
                }
            };
            new DeviceRegion(limits, collect).walkWithVmdesc(region, region.capacity(), deviceStart, vmdesc);
            return Optional.of(new Ends(head.configuration, head.pageSize, head.ramStart, head.blocks, deviceStart,
                    devices, eof, vmdesc, ch.size()));
        } catch (StreamFormatException e) {
            return Optional.empty();
        }
    }

    /** The wire length of the device sections the vmdesc describes (headers, field data, footers). */
    static long deviceBytes(Vmdesc vmdesc, StreamLimits limits) {
        long n = 0;
        for (int k = 0; k < vmdesc.deviceCount(); k++) {
            Vmsd device = vmdesc.device(k);
            n += SectionHeader.fullBytes(device.name().getBytes(StandardCharsets.ISO_8859_1).length)
                    + device.bodyLength(limits, vmdesc.offset(), "vmdesc device " + k)
                    + WireFormat.FOOTER_BYTES;
            if (n > limits.maxBufferedDeviceBytes()) {
                return -1;
            }
        }
        return n;
    }

    /** An EOS record, then the footer of the RAM section. */
    private static boolean endsRam(ByteBuffer b, int ramSectionId) {
        return b.getLong(0) == RamFlags.EOS && SectionFooter.closes(b, RamFlags.RECORD_HEADER_BYTES, ramSectionId);
    }

    private record Head(Configuration configuration, int pageSize, StreamSummary.SectionInfo ramStart,
                        RamBlockList blocks) {
    }

    /** Decodes from the front until the RAM START section's footer; null when that is not within the limit. */
    private static Head readHead(FileChannel ch, StreamLimits limits) throws IOException {
        StreamSummary.Collector c = new StreamSummary.Collector();
        RamBlockList[] blocks = new RamBlockList[1];
        boolean[] done = new boolean[1];
        StreamVisitor v = new StreamVisitor() {
            @Override
            public void configuration(Configuration conf) {
                c.configuration(conf);
            }

            @Override
            public void sectionStart(SectionHeader h) {
                c.sectionStart(h);
            }

            @Override
            public void ramBlockList(RamBlockList list) {
                blocks[0] = list;
            }

            @Override
            public void sectionFooter(SectionHeader section, long offset) {
                if (!done[0]) {
                    c.sectionFooter(section, offset);
                    done[0] = true;
                }
            }
        };
        StreamDecoder d = StreamDecoder.builder(v).limits(limits).build();
        ByteBuffer buf = ByteBuffer.allocate(HEAD_CHUNK);
        long at = 0;
        while (!done[0] && at < limits.maxHeadBytes()) {
            buf.clear();
            int n = ch.read(buf, at);
            if (n <= 0) {
                return null;
            }
            at += n;
            buf.flip();
            d.feed(buf);
        }
        StreamSummary s = c.summary();
        if (!done[0] || blocks[0] == null || s.sections().isEmpty()
                || s.sections().get(0).type() != WireFormat.SECTION_START
                || !WireFormat.RAM_IDSTR.equals(s.sections().get(0).idstr())) {
            return null;
        }
        return new Head(s.configuration(), s.pageSize(), s.sections().get(0), blocks[0]);
    }

    private static ByteBuffer readFully(FileChannel ch, long at, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                throw new StreamFormatException(at + b.position(), null, "file ends early");
            }
        }
        return b.clear();
    }
}
