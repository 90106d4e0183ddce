package dev.regshim.proxy;

import dev.regshim.rewrite.RewriteOptions;
import dev.regshim.stream.RamFlags;
import dev.regshim.stream.ReadOptions;
import dev.regshim.stream.StreamTransformer;
import dev.regshim.stream.WireFormat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * Runs the proxy's hot path (decoder, transformer, writer, audit, output) over a synthetic RAM-only stream before
 * the first connection, so that the JIT compiles it while nothing waits: otherwise the first migration pays for the
 * compilation, on the same CPUs the two QEMUs need. About 0.2-0.4 s once at start-up.
 */
final class Warmup {

    private static final int PAGE = 4096;
    private static final int PAGES = 2048;
    private static final int ROUNDS = 10;
    private static final int RAM_SECTION_ID = 2;
    private static final int RAM_VERSION = 4;
    private static final String BLOCK = "warmup.ram";

    private Warmup() {
    }

    /** Relays the synthetic stream {@link #ROUNDS} times into a discarding channel; returns the bytes relayed. */
    static long run(RewriteOptions options, ProxyOptions proxy) {
        byte[] stream = stream();
        long total = 0;
        for (int i = 0; i < ROUNDS; i++) {
            LiveRewrite rewrite = new LiveRewrite(options, v -> { });
            OutputAudit audit = new OutputAudit(rewrite, proxy.limits());
            DestinationOutput out = new DestinationOutput(DISCARD, audit, new Activity(), () -> false,
                    proxy.maxHeldBytes(), () -> { });
            try {
                StreamTransformer.of(rewrite, ReadOptions.defaults().withLimits(proxy.limits()))
                        .transform(Channels.newChannel(new java.io.ByteArrayInputStream(stream)), out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out.finish();
            total += out.sent();
        }
        return total;
    }

    static byte[] stream() {
        return stream(PAGES);
    }

    /** header, RAM START (one block), PART ({@code pages} data and zero pages), END, EOF. */
    static byte[] stream(int pages) {
        byte[] name = BLOCK.getBytes(StandardCharsets.ISO_8859_1);
        long size = (long) pages * PAGE;
        ByteBuffer b = ByteBuffer.allocate(pages * (PAGE + Long.BYTES + 2) + 4096);
        b.putInt(WireFormat.MAGIC).putInt(WireFormat.VERSION);
        section(b, WireFormat.SECTION_START, true);
        b.putLong(size | RamFlags.MEM_SIZE);
        b.put((byte) name.length).put(name).putLong(size);
        b.putLong(RamFlags.EOS);
        footer(b);
        section(b, WireFormat.SECTION_PART, false);
        byte[] data = new byte[PAGE];
        for (int p = 0; p < pages; p++) {
            long addr = (long) p * PAGE;
            boolean zero = p % 8 == 7;
            int flags = (zero ? RamFlags.ZERO : RamFlags.PAGE) | (p == 0 ? 0 : RamFlags.CONTINUE);
            b.putLong(addr | flags);
            if (p == 0) {
                b.put((byte) name.length).put(name);
            }
            if (zero) {
                b.put((byte) 0);
            } else {
                data[p % PAGE] = (byte) (p | 1);
                b.put(data);
            }
        }
        b.putLong(RamFlags.EOS);
        footer(b);
        section(b, WireFormat.SECTION_END, false);
        b.putLong(RamFlags.EOS);
        footer(b);
        b.put((byte) WireFormat.EOF);
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    private static void section(ByteBuffer b, int type, boolean full) {
        b.put((byte) type).putInt(RAM_SECTION_ID);
        if (full) {
            byte[] idstr = WireFormat.RAM_IDSTR.getBytes(StandardCharsets.ISO_8859_1);
            b.put((byte) idstr.length).put(idstr).putInt(0).putInt(RAM_VERSION);
        }
    }

    private static void footer(ByteBuffer b) {
        b.put((byte) WireFormat.SECTION_FOOTER).putInt(RAM_SECTION_ID);
    }

    private static final WritableByteChannel DISCARD = new WritableByteChannel() {
        @Override
        public int write(ByteBuffer src) {
            int n = src.remaining();
            src.position(src.limit());
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    };
}
