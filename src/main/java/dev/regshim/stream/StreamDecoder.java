package dev.regshim.stream;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Incremental (push) decoder of a QEMU migration stream ({@link WireFormat}). Feed it input in chunks of any size with
 * {@link #feed}, then call {@link #finish} at end of input; it reports the structure to a {@link StreamVisitor}.
 * <p>
 * Like a Netty frame decoder it never half-consumes input: a token (section header, RAM record header, footer,
 * command, block-list entry) is decoded only once all its bytes are present; a token cut by a chunk boundary is kept
 * in a small stash (at most {@link StreamLimits#maxTokenBytes}) until the rest arrives. Page data and PACKAGED
 * payloads stream through as views of the input without being copied. The results are the same whether the input
 * comes whole, one byte at a time or in random chunks.
 * <p>
 * The grammar is decoded by stages, each owning one part of the stream and handing over to the next:
 * {@link HeadDecoder} (file header, configuration), {@link RecordDecoder} (record types, section headers, commands),
 * {@link RamDecoder}, {@link DeviceStateDecoder}, {@link PackagedPayloadDecoder} and {@link TrailerDecoder}. This class
 * only feeds them.
 * <p>
 * Device sections (FULL) carry no length. With a vmdesc known up front ({@link Builder#knownVmdesc}, e.g. read from the
 * end of a file first) each section is delimited by its field sizes as it arrives. Otherwise the device state after RAM
 * is buffered (bounded by {@link StreamLimits#maxBufferedDeviceBytes}) until the trailer arrives, then walked with it;
 * with no trailer (or {@link Builder#ignoreVmdesc}) cpu sections are walked by their known layout and other sections
 * end at their footer.
 * <p>
 * Not thread-safe. After a {@link StreamFormatException} the decoder is unusable.
 */
public final class StreamDecoder {

    private static final int STASH_INITIAL = 512;

    private final DecoderContext ctx;
    private boolean failed;

    /** The start of a token cut by the end of a chunk; {@code pendingNeed} bytes of it complete the next step. */
    private byte[] stash = new byte[STASH_INITIAL];
    private int stashLen;
    private int pendingNeed;

    private StreamDecoder(Builder b) {
        this.ctx = new DecoderContext(b.visitor, b.limits, b.knownVmdesc, b.ignoreVmdesc);
    }

    public static Builder builder(StreamVisitor visitor) {
        return new Builder(visitor);
    }

    /** Options of a decoder. */
    public static final class Builder {
        private final StreamVisitor visitor;
        private StreamLimits limits = StreamLimits.defaults();
        private Vmdesc knownVmdesc;
        private boolean ignoreVmdesc;

        private Builder(StreamVisitor visitor) {
            this.visitor = visitor;
        }

        public Builder limits(StreamLimits l) {
            this.limits = l;
            return this;
        }

        /** The trailer, read ahead (from the end of a file): device sections are then walked as they arrive. */
        public Builder knownVmdesc(Vmdesc v) {
            this.knownVmdesc = v;
            return this;
        }

        /** Walk device sections without the vmdesc even if the stream has one (cpu by layout, others by footer). */
        public Builder ignoreVmdesc(boolean ignore) {
            this.ignoreVmdesc = ignore;
            return this;
        }

        public StreamDecoder build() {
            return new StreamDecoder(this);
        }
    }

    /** Bytes consumed so far (the offset of the next byte expected). */
    public long position() {
        return ctx.pos + stashLen;
    }

    /** The page size in force (from the configuration). */
    public int pageSize() {
        return ctx.pageSize;
    }

    /** Decodes as much of {@code in} as possible; all of it is consumed (a partial token is stashed). */
    public void feed(ByteBuffer in) {
        if (failed) {
            throw new IllegalStateException("decoder already failed");
        }
        try {
            feed0(in);
        } catch (RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    public void feed(byte[] b, int off, int len) {
        feed(ByteBuffer.wrap(b, off, len));
    }

    /** Signals end of input; checks that the stream is complete and emits what was buffered. */
    public void finish() {
        if (failed) {
            throw new IllegalStateException("decoder already failed");
        }
        try {
            long end = ctx.pos + stashLen;
            ctx.stage().finish(end, stashLen > 0);
            ctx.visitor.end(end);
        } catch (RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    private void feed0(ByteBuffer in) {
        while (true) {
            if (stashLen > 0) {
                int missing = pendingNeed - stashLen;
                if (missing > 0) {
                    int take = Math.min(missing, in.remaining());
                    in.get(stash, stashLen, take);
                    stashLen += take;
                    if (stashLen < pendingNeed) {
                        return;
                    }
                }
                ByteBuffer w = ByteBuffer.wrap(stash, 0, stashLen);
                int r = runSteps(w);
                if (r < 0) {
                    int rem = w.remaining();
                    System.arraycopy(stash, w.position(), stash, 0, rem);
                    stashLen = rem;
                    needStash(-r);
                    if (!in.hasRemaining()) {
                        return;
                    }
                    continue;
                }
                stashLen = 0;
            }
            if (!in.hasRemaining()) {
                return;
            }
            int r = runSteps(in);
            if (r < 0) {
                int rem = in.remaining();
                needStash(-r);
                in.get(stash, 0, rem);
                stashLen = rem;
            }
            return;
        }
    }

    /** Steps the stages over {@code w} until it is used up (0) or a token needs more bytes (-n). */
    private int runSteps(ByteBuffer w) {
        while (w.hasRemaining()) {
            int r = ctx.stage().step(w);
            if (r < 0) {
                return r;
            }
        }
        return 0;
    }

    private void needStash(int need) {
        if (need > ctx.limits.maxTokenBytes()) {
            throw ctx.error(ctx.pos, "a single record of " + need + " bytes is larger than the reader's token limit");
        }
        if (need > stash.length) {
            stash = Arrays.copyOf(stash, Math.max(need, stash.length * 2));
        }
        pendingNeed = need;
    }
}
