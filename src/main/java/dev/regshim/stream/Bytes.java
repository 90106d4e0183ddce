package dev.regshim.stream;

/**
 * Big-endian reads and writes on the byte arrays of decoded sections (the stream's only byte order). The wire itself
 * is read from {@link java.nio.ByteBuffer}s by the structure readers ({@link WireFormat}).
 */
final class Bytes {

    private Bytes() {
    }

    static int be32(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }

    static long be64(byte[] b, int off) {
        return ((long) be32(b, off) << 32) | (be32(b, off + 4) & 0xffff_ffffL);
    }

    /** An unsigned big-endian integer of 1, 2, 4 or 8 bytes. */
    static long beN(byte[] b, int off, int size) {
        switch (size) {
            case 1: return b[off] & 0xff;
            case 2: return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
            case 4: return be32(b, off) & 0xffff_ffffL;
            case 8: return be64(b, off);
            default: throw new IllegalArgumentException("element size " + size);
        }
    }

    static void putBe32(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    static void putBe64(byte[] b, int off, long v) {
        putBe32(b, off, (int) (v >>> 32));
        putBe32(b, off + 4, (int) v);
    }
}
