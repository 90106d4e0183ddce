package dev.regshim.stream;

import java.nio.ByteBuffer;

/**
 * The FULL device sections after RAM. They carry no length, so how they are delimited depends on what is known:
 * <ul>
 * <li>with the vmdesc read ahead, each section's length follows from its entry, so it is collected to that length and
 *     walked ({@link VmdescWalk}) as it arrives;</li>
 * <li>otherwise everything from the first section on is buffered (bounded by
 *     {@link StreamLimits#maxBufferedDeviceBytes}) while it is searched for {@code footer, EOF, trailer}; once a
 *     trailer that parses has arrived, the region is walked with it (or by layout when ignoring it) and the stream
 *     is done; at the end of input without one, it is walked by layout ({@link DeviceRegion}).</li>
 * </ul>
 */
final class DeviceStateDecoder implements DecoderStage {

    /** {@code 7e <id>  00  06 <be32 len> '{'}: a footer, EOF, and the start of a trailer. */
    private static final int TRAILER_PATTERN_BYTES = WireFormat.FOOTER_BYTES + 1 + VmdescTrailer.CANDIDATE_BYTES;

    private final DecoderContext ctx;
    private final Vmdesc knownVmdesc;
    private final boolean ignoreVmdesc;
    private final VmdescWalk walk;
    private int sections;

    // a section delimited by the vmdesc read ahead
    private SectionHeader header;
    private GrowableBytes section;
    private int sectionBytes;

    // the buffered region
    private GrowableBytes region;
    private long regionOffset;
    private int scanFrom;

    DeviceStateDecoder(DecoderContext ctx, Vmdesc knownVmdesc, boolean ignoreVmdesc) {
        this.ctx = ctx;
        this.knownVmdesc = knownVmdesc;
        this.ignoreVmdesc = ignoreVmdesc;
        this.walk = new VmdescWalk(ctx.limits);
    }

    /** Device sections delimited so far with the vmdesc read ahead. */
    int sections() {
        return sections;
    }

    /** At the first byte of a FULL section (not consumed). */
    int begin(ByteBuffer in) {
        if (knownVmdesc == null) {
            region = new GrowableBytes(ctx.limits.maxBufferedDeviceBytes());
            regionOffset = ctx.pos;
            ctx.enter(this);
            return 0;
        }
        int p = in.position();
        int need = SectionHeader.bytesNeeded(in, p, in.remaining());
        if (in.remaining() < need) {
            return -need;
        }
        SectionHeader h = SectionHeader.readFull(in, p, p + need, ctx.pos, ctx.limits);
        int k = sections++;
        if (sections > ctx.limits.maxDeviceSections()) {
            throw ctx.error(ctx.pos, h.describe(), "more than " + ctx.limits.maxDeviceSections() + " device sections");
        }
        if (k >= knownVmdesc.deviceCount()) {
            throw ctx.error(ctx.pos, h.describe(), "the vmdesc describes only " + knownVmdesc.deviceCount()
                    + " device sections");
        }
        knownVmdesc.device(k).checkDescribes(h, k);
        sectionBytes = (int) walk.sectionLength(h, knownVmdesc.device(k));
        header = h;
        section = new GrowableBytes(sectionBytes);
        ctx.enter(this);
        return 0;
    }

    @Override
    public int step(ByteBuffer in) {
        return region != null ? buffer(in) : collect(in);
    }

    @Override
    public String inside() {
        return "a device section";
    }

    @Override
    public void finish(long end, boolean midToken) {
        if (region == null) {
            throw DecoderStage.truncated(end, inside());
        }
        new DeviceRegion(ctx.limits, ctx.visitor).walkByLayout(ByteBuffer.wrap(region.array()), region.length(),
                regionOffset, true);
        region = null;
    }

    /** Collects the current section to its known length, then walks it. */
    private int collect(ByteBuffer in) {
        int n = Math.min(in.remaining(), sectionBytes - section.length());
        section.append(in, n);
        ctx.pos += n;
        if (section.length() == sectionBytes) {
            WalkedSection w = walk.walk(ByteBuffer.wrap(section.array()), 0, sectionBytes, header.offset(), header,
                    knownVmdesc.device(sections - 1));
            section = null;
            ctx.enter(ctx.records);
            ctx.visitor.deviceSection(w.section());
        }
        return n;
    }

    private int buffer(ByteBuffer in) {
        int n = in.remaining();
        if (!region.append(in, n)) {
            throw ctx.error(ctx.pos, "device state after RAM exceeds the buffer limit of "
                    + ctx.limits.maxBufferedDeviceBytes() + " bytes without reaching EOF and the vmdesc trailer");
        }
        ctx.pos += n;
        scanForTrailer();
        return n;
    }

    /** Looks for {@code 7e <id> 00 06 <len> '{'} and resolves the region once a whole trailer that parses is here. */
    private void scanForTrailer() {
        ByteBuffer b = ByteBuffer.wrap(region.array());
        int len = region.length();
        while (scanFrom + TRAILER_PATTERN_BYTES <= len) {
            int q = scanFrom;
            int eof = q + WireFormat.FOOTER_BYTES;
            int trailer = eof + 1;
            if (SectionFooter.startsAt(b, q) && (b.get(eof) & 0xff) == WireFormat.EOF
                    && VmdescTrailer.isCandidate(b, trailer)) {
                long jsonLen = VmdescTrailer.jsonLength(b, trailer);
                long jsonStart = VmdescTrailer.jsonOffset(trailer);
                if (jsonLen <= ctx.limits.maxVmdescBytes()) {
                    if (jsonStart + jsonLen > len) {
                        return; // wait for the rest of the candidate trailer
                    }
                    Vmdesc v = tryVmdesc(b, (int) jsonStart, (int) jsonLen, regionOffset + trailer);
                    if (v != null) {
                        resolve(b, eof, v, (int) (jsonStart + jsonLen));
                        return;
                    }
                }
            }
            scanFrom++;
        }
    }

    private Vmdesc tryVmdesc(ByteBuffer b, int start, int len, long offset) {
        byte[] json = new byte[len];
        b.get(start, json);
        try {
            return Vmdesc.parse(json, offset, ctx.limits);
        } catch (StreamFormatException e) {
            return null; // not the trailer after all: keep scanning (the final walk reports a bad one)
        }
    }

    /** Walks the region up to the EOF byte at {@code eof}; the trailer ends at {@code end}. */
    private void resolve(ByteBuffer b, int eof, Vmdesc v, int end) {
        int len = region.length();
        DeviceRegion r = new DeviceRegion(ctx.limits, ctx.visitor);
        if (ignoreVmdesc) {
            r.walkByLayout(b, eof, regionOffset, false);
        } else {
            r.walkWithVmdesc(b, eof, regionOffset, v);
        }
        ctx.visitor.eof(regionOffset + eof);
        ctx.visitor.vmdesc(v);
        if (end < len) {
            throw VmdescTrailer.junkAfterTrailer(len - end, regionOffset + end);
        }
        region = null;
        ctx.trailer.done();
    }
}
