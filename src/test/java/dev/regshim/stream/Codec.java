package dev.regshim.stream;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Random;

/** Test helpers: decode bytes in given chunkings, re-encode. */
final class Codec {

    private Codec() {
    }

    /** Feeds {@code bytes} to a decoder in chunks of {@code chunk} bytes (0 = whole). */
    static void decode(byte[] bytes, StreamVisitor v, StreamDecoder.Builder opts, int chunk) {
        StreamDecoder d = opts.build();
        if (chunk <= 0) {
            d.feed(ByteBuffer.wrap(bytes));
        } else {
            for (int off = 0; off < bytes.length; off += chunk) {
                d.feed(ByteBuffer.wrap(bytes, off, Math.min(chunk, bytes.length - off)));
            }
        }
        d.finish();
    }

    /** Feeds {@code bytes} in random chunk sizes (1..maxChunk) drawn from {@code rnd}. */
    static void decodeRandom(byte[] bytes, StreamVisitor v, StreamDecoder.Builder opts, Random rnd, int maxChunk) {
        StreamDecoder d = opts.build();
        int off = 0;
        while (off < bytes.length) {
            int n = Math.min(bytes.length - off, 1 + rnd.nextInt(maxChunk));
            // vary the buffer kind too: heap, heap with offset, direct
            ByteBuffer b;
            switch (rnd.nextInt(3)) {
                case 0:
                    b = ByteBuffer.wrap(bytes, off, n);
                    break;
                case 1: {
                    byte[] copy = new byte[n + 7];
                    System.arraycopy(bytes, off, copy, 3, n);
                    b = ByteBuffer.wrap(copy, 3, n);
                    break;
                }
                default:
                    b = ByteBuffer.allocateDirect(n);
                    b.put(bytes, off, n).flip();
            }
            d.feed(b);
            off += n;
        }
        d.finish();
    }

    static StreamDecoder.Builder opts(StreamVisitor v) {
        return StreamDecoder.builder(v);
    }

    /** write(read(bytes)). */
    static byte[] roundTrip(byte[] bytes, int chunk) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
        StreamWriter w = new StreamWriter(out);
        decode(bytes, w, opts(w), chunk);
        return out.toByteArray();
    }

    static StreamSummary summary(byte[] bytes, int chunk) {
        StreamSummary.Collector c = new StreamSummary.Collector();
        decode(bytes, c, opts(c), chunk);
        return c.summary();
    }
}
