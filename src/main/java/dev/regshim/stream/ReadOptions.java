package dev.regshim.stream;

import java.util.function.LongConsumer;

/**
 * How to read a stream.
 *
 * @param limits       bounds on untrusted input
 * @param ignoreVmdesc walk device sections without the vmdesc even when the stream has one
 * @param progress     called with the bytes read so far after each chunk (null for none)
 * @param chunkBytes   bytes fed to the decoder at a time: the read size of a stream, the size of the views of a mapped
 *                     file (progress is reported, and a transform flushes its output, after each)
 */
public record ReadOptions(StreamLimits limits, boolean ignoreVmdesc, LongConsumer progress, int chunkBytes) {

    public static final int DEFAULT_CHUNK_BYTES = 1 << 20;

    public static ReadOptions defaults() {
        return new ReadOptions(StreamLimits.defaults(), false, null, DEFAULT_CHUNK_BYTES);
    }

    public ReadOptions withLimits(StreamLimits l) {
        return new ReadOptions(l, ignoreVmdesc, progress, chunkBytes);
    }

    public ReadOptions withIgnoreVmdesc(boolean ignore) {
        return new ReadOptions(limits, ignore, progress, chunkBytes);
    }

    public ReadOptions withProgress(LongConsumer p) {
        return new ReadOptions(limits, ignoreVmdesc, p, chunkBytes);
    }

    public ReadOptions withChunkBytes(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("chunk size " + n);
        }
        return new ReadOptions(limits, ignoreVmdesc, progress, n);
    }
}
