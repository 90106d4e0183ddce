package dev.regshim.rewrite;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * A channel that passes every byte through and digests the first {@code limit} of them: CRC-32C and CRC-32 (two
 * independent 32-bit checks, both computed in hardware by the JDK) and the count. The rewriter digests the part of the
 * stream a rewrite never changes (everything before the device state: header and RAM) once in the input and once
 * when it re-reads the output, and requires both digests to be equal.
 */
final class PrefixDigest implements ReadableByteChannel {

    /** The digest of a stream prefix. */
    record Digest(long bytes, long crc32c, long crc32) {
        String describe() {
            return String.format("%,d bytes, CRC-32C %08x, CRC-32 %08x", bytes, crc32c, crc32);
        }
    }

    private final ReadableByteChannel in;
    private final long limit;
    private final CRC32C crc32c = new CRC32C();
    private final CRC32 crc32 = new CRC32();
    private long position;
    private long digested;

    PrefixDigest(ReadableByteChannel in, long limit) {
        this.in = in;
        this.limit = limit;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int start = dst.position();
        int n = in.read(dst);
        if (n > 0) {
            long take = Math.min(n, Math.max(0, limit - position));
            if (take > 0) {
                ByteBuffer view = dst.duplicate();
                view.position(start).limit(start + (int) take);
                crc32c.update(view.duplicate());
                crc32.update(view);
                digested += take;
            }
            position += n;
        }
        return n;
    }

    /** Bytes passed through so far. */
    long position() {
        return position;
    }

    Digest digest() {
        return new Digest(digested, crc32c.getValue(), crc32.getValue());
    }

    @Override
    public boolean isOpen() {
        return in.isOpen();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
