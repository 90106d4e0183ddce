package dev.regshim.stream;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What follows the EOF byte: nothing, or the vmdesc trailer ({@link VmdescTrailer}) and then nothing. A trailer read
 * ahead from the end of the file must be the same one, describing as many device sections as were delimited with it.
 */
final class TrailerDecoder implements DecoderStage {

    private enum Part { AFTER_EOF, HEADER, JSON, DONE }

    private final DecoderContext ctx;
    private final Vmdesc knownVmdesc;
    private Part part = Part.AFTER_EOF;
    private long offset;
    private int jsonBytes;
    private GrowableBytes json;

    TrailerDecoder(DecoderContext ctx, Vmdesc knownVmdesc) {
        this.ctx = ctx;
        this.knownVmdesc = knownVmdesc;
    }

    /** The trailer was found and emitted elsewhere (in buffered device state): only the end may follow. */
    void done() {
        part = Part.DONE;
        ctx.enter(this);
    }

    @Override
    public int step(ByteBuffer in) {
        switch (part) {
            case AFTER_EOF: {
                int type = in.get(in.position()) & 0xff;
                if (!VmdescTrailer.startsAt(in, in.position())) {
                    throw VmdescTrailer.junkAfterEof(type, ctx.pos);
                }
                part = Part.HEADER;
                return 0;
            }
            case HEADER: return header(in);
            case JSON: return json(in);
            default: throw VmdescTrailer.junkAfterTrailer(in.remaining(), ctx.pos);
        }
    }

    @Override
    public String inside() {
        return part == Part.HEADER || part == Part.JSON ? "the vmdesc trailer" : "the stream";
    }

    @Override
    public void finish(long end, boolean midToken) {
        if (midToken || part == Part.HEADER || part == Part.JSON) {
            throw DecoderStage.truncated(end, inside());
        }
    }

    private int header(ByteBuffer in) {
        if (in.remaining() < WireFormat.VMDESC_HEADER_BYTES) {
            return -WireFormat.VMDESC_HEADER_BYTES;
        }
        jsonBytes = VmdescTrailer.checkedJsonLength(in, in.position(), ctx.pos, ctx.limits);
        offset = ctx.pos;
        json = new GrowableBytes(jsonBytes);
        part = Part.JSON;
        ctx.consume(in, WireFormat.VMDESC_HEADER_BYTES);
        if (jsonBytes == 0) {
            emit();
        }
        return WireFormat.VMDESC_HEADER_BYTES;
    }

    private int json(ByteBuffer in) {
        int n = Math.min(in.remaining(), jsonBytes - json.length());
        json.append(in, n);
        ctx.pos += n;
        if (json.length() == jsonBytes) {
            emit();
        }
        return n;
    }

    private void emit() {
        byte[] bytes = Arrays.copyOf(json.array(), jsonBytes);
        json = null;
        // the trailer read ahead is these very bytes at this offset in a file that was not changed: parsed already
        boolean same = knownVmdesc != null && knownVmdesc.offset() == offset && knownVmdesc.hasRaw(bytes);
        Vmdesc v = same ? knownVmdesc : Vmdesc.parse(bytes, offset, ctx.limits);
        if (knownVmdesc != null) {
            if (!same && !knownVmdesc.hasRaw(bytes)) {
                throw ctx.error(offset, "vmdesc", "the trailer differs from the one read ahead from the end of the "
                        + "file (was the file modified while being read?)");
            }
            if (ctx.devices.sections() != knownVmdesc.deviceCount()) {
                throw ctx.error(offset, "vmdesc", "the stream has " + ctx.devices.sections()
                        + " device sections but the vmdesc describes " + knownVmdesc.deviceCount());
            }
        }
        ctx.visitor.vmdesc(v);
        part = Part.DONE;
    }
}
