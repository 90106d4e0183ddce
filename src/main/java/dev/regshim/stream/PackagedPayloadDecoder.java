package dev.regshim.stream;

import java.nio.ByteBuffer;

/**
 * The payload of a PACKAGED command (postcopy: a nested stream of device sections, {@code be32} bytes long), passed
 * through undecoded as views of the input; then back to {@link RecordDecoder}.
 */
final class PackagedPayloadDecoder implements DecoderStage {

    private final DecoderContext ctx;
    private long remaining;

    PackagedPayloadDecoder(DecoderContext ctx) {
        this.ctx = ctx;
    }

    /** Called at the PACKAGED command (before it is consumed): its payload of {@code length} bytes comes next. */
    void expect(long length) {
        if (length > ctx.limits.maxPackagedBytes()) {
            throw ctx.error(ctx.pos, "PACKAGED payload of " + length + " bytes exceeds the limit of "
                    + ctx.limits.maxPackagedBytes());
        }
        remaining = length;
        if (remaining > 0) {
            ctx.enter(this);
        }
    }

    @Override
    public int step(ByteBuffer in) {
        int n = (int) Math.min(remaining, in.remaining());
        ctx.visitor.packagedData(in.slice(in.position(), n));
        remaining -= n;
        if (remaining == 0) {
            ctx.enter(ctx.records);
        }
        return ctx.consume(in, n);
    }

    @Override
    public String inside() {
        return "a PACKAGED payload";
    }
}
