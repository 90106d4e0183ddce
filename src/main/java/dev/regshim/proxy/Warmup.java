package dev.regshim.proxy;

import dev.regshim.policy.RewriteOptions;
import dev.regshim.stream.RamBlock;
import dev.regshim.stream.RamBlockList;
import dev.regshim.stream.RamFlags;
import dev.regshim.stream.RamRecord;
import dev.regshim.stream.ReadOptions;
import dev.regshim.stream.SectionHeader;
import dev.regshim.stream.StreamTransformer;
import dev.regshim.stream.StreamWriter;
import dev.regshim.stream.WireFormat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.List;

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
        long size = (long) pages * PAGE;
        ByteArrayOutputStream out = new ByteArrayOutputStream(pages * (PAGE + Long.BYTES + 2) + 4096);
        StreamWriter w = new StreamWriter(out);
        w.header(0, WireFormat.VERSION);
        SectionHeader start = ramSection(WireFormat.SECTION_START);
        w.sectionStart(start);
        RamBlock block = new RamBlock(BLOCK, size, RamBlock.ABSENT, RamBlock.ABSENT);
        w.ramBlockList(new RamBlockList(0, size | RamFlags.MEM_SIZE, size, List.of(block)));
        endOfRam(w, start);
        SectionHeader part = ramSection(WireFormat.SECTION_PART);
        w.sectionStart(part);
        byte[] data = new byte[PAGE];
        for (int p = 0; p < pages; p++) {
            long addr = (long) p * PAGE;
            boolean zero = p % 8 == 7;
            int flags = (zero ? RamFlags.ZERO : RamFlags.PAGE) | (p == 0 ? 0 : RamFlags.CONTINUE);
            w.ramRecord(new RamRecord(0, addr | flags, flags, p == 0 ? BLOCK : null, block, zero ? 0 : -1));
            if (!zero) {
                data[p % PAGE] = (byte) (p | 1);
                w.ramPageData(ByteBuffer.wrap(data));
            }
        }
        endOfRam(w, part);
        SectionHeader end = ramSection(WireFormat.SECTION_END);
        w.sectionStart(end);
        endOfRam(w, end);
        w.eof(0);
        w.flush();
        return out.toByteArray();
    }

    private static SectionHeader ramSection(int type) {
        return new SectionHeader(0, type, RAM_SECTION_ID, WireFormat.RAM_IDSTR, 0, WireFormat.RAM_VERSION);
    }

    /** The EOS record and the footer that end each RAM section. */
    private static void endOfRam(StreamWriter w, SectionHeader section) {
        w.ramRecord(new RamRecord(0, RamFlags.EOS, RamFlags.EOS, null, null, -1));
        w.sectionFooter(section, 0);
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
