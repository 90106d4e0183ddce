package dev.regshim.stream;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Entry points that drive a {@link StreamDecoder} over a file, an input stream or a channel. Files are seekable, so
 * their vmdesc trailer is read first (from the end) and device sections are walked as they arrive; they are read
 * through memory-mapped windows ({@link MappedWindows}), so page data is never copied. Streams buffer the device state
 * after RAM until the trailer comes. Memory stays bounded either way: RAM is never held.
 */
public final class StreamReader {

    private StreamReader() {
    }

    /** Reads a whole stream into a summary (RAM counted, not kept). */
    public static StreamSummary summarize(Path file, ReadOptions options) throws IOException {
        StreamSummary.Collector c = new StreamSummary.Collector();
        read(file, c, options);
        return c.summary();
    }

    public static StreamSummary summarize(InputStream in, ReadOptions options) throws IOException {
        StreamSummary.Collector c = new StreamSummary.Collector();
        read(in, c, options);
        return c.summary();
    }

    /** Decodes a file, vmdesc read ahead from its end unless {@link ReadOptions#ignoreVmdesc()}. */
    public static void read(Path file, StreamVisitor visitor, ReadOptions options) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Vmdesc ahead = options.ignoreVmdesc() ? null : readTrailer(ch, options.limits()).orElse(null);
            StreamDecoder d = StreamDecoder.builder(visitor).limits(options.limits()).knownVmdesc(ahead)
                    .ignoreVmdesc(options.ignoreVmdesc()).build();
            pumpMapped(ch, d, options, () -> { });
        }
    }

    public static void read(InputStream in, StreamVisitor visitor, ReadOptions options) throws IOException {
        read(Channels.newChannel(in), visitor, options);
    }

    public static void read(ReadableByteChannel ch, StreamVisitor visitor, ReadOptions options) throws IOException {
        StreamDecoder d = StreamDecoder.builder(visitor).limits(options.limits())
                .ignoreVmdesc(options.ignoreVmdesc()).build();
        pump(ch, d, options);
    }

    static void pump(ReadableByteChannel ch, StreamDecoder d, ReadOptions options) throws IOException {
        pump(ch, d, options, () -> { });
    }

    /** An interface so that the per-chunk hook may throw {@link IOException}. */
    @FunctionalInterface
    interface ChunkHook {
        void afterChunk() throws IOException;
    }

    /**
     * Feeds a whole file to the decoder as views of its mapped windows, {@link ReadOptions#chunkBytes()} at a time
     * (nothing is copied); calls {@code hook} after every piece (the transformer flushes its output there) and returns
     * the bytes read.
     */
    static long pumpMapped(FileChannel ch, StreamDecoder d, ReadOptions options, ChunkHook hook) throws IOException {
        long size = ch.size();
        int chunk = options.chunkBytes();
        MappedWindows.forEach(ch, 0, size, (window, at) -> {
            int end = window.limit();
            for (int p = window.position(); p < end; ) {
                int n = Math.min(chunk, end - p);
                d.feed(window.slice(p, n));
                p += n;
                hook.afterChunk();
                if (options.progress() != null) {
                    options.progress().accept(at + p);
                }
            }
        });
        d.finish();
        return size;
    }

    /**
     * Reads the channel to its end in {@link ReadOptions#chunkBytes()} pieces, feeding each to the decoder; calls
     * {@code hook} after every piece (the transformer flushes its output there) and returns the bytes read.
     */
    static long pump(ReadableByteChannel ch, StreamDecoder d, ReadOptions options, ChunkHook hook) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(options.chunkBytes());
        long total = 0;
        while (true) {
            int n = ch.read(buf);
            if (n < 0) {
                break;
            }
            if (n == 0) {
                continue;
            }
            total += n;
            buf.flip();
            d.feed(buf);
            buf.clear();
            hook.afterChunk();
            if (options.progress() != null) {
                options.progress().accept(total);
            }
        }
        d.finish();
        return total;
    }

    /**
     * Finds the vmdesc trailer at the end of a file: the last {@code 00 06 <be32 len> '{'} whose JSON runs exactly to
     * the end of the file and parses. Empty when there is none (or it is not valid JSON; the full read then reports
     * what is wrong).
     */
    public static Optional<Vmdesc> readTrailer(FileChannel ch, StreamLimits limits) throws IOException {
        long size = ch.size();
        long max = Math.min(size, 1 + VmdescTrailer.maxBytes(limits));  // EOF, then the trailer
        // real trailers are tens of KB: look in a small tail window first, widen only if needed
        for (long window = Math.min(max, TRAILER_FIRST_WINDOW); ; window = Math.min(max, window * 8)) {
            Optional<Vmdesc> v = findTrailer(ch, size, (int) window, limits);
            if (v.isPresent() || window == max) {
                return v;
            }
        }
    }

    private static final long TRAILER_FIRST_WINDOW = 64 << 10;

    private static Optional<Vmdesc> findTrailer(FileChannel ch, long size, int window, StreamLimits limits)
            throws IOException {
        if (window < 1 + VmdescTrailer.CANDIDATE_BYTES) {
            return Optional.empty();
        }
        ByteBuffer tail = ByteBuffer.allocate(window);
        long at = size - window;
        while (tail.hasRemaining()) {
            if (ch.read(tail, at + tail.position()) < 0) {
                throw new UncheckedIOException(new IOException("file shrank while reading its trailer"));
            }
        }
        for (int i = window - (1 + VmdescTrailer.CANDIDATE_BYTES); i >= 0; i--) {
            int trailer = i + 1;
            if (tail.get(i) != WireFormat.EOF || !VmdescTrailer.isCandidate(tail, trailer)) {
                continue;
            }
            if (VmdescTrailer.runsTo(tail, trailer, window)) {
                try {
                    byte[] json = new byte[window - VmdescTrailer.jsonOffset(trailer)];
                    tail.get(VmdescTrailer.jsonOffset(trailer), json);
                    return Optional.of(Vmdesc.parse(json, at + trailer, limits));
                } catch (StreamFormatException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }
}
