package dev.regshim.stream;

import java.nio.ByteBuffer;

/**
 * The framing of the vmdesc trailer that may follow the EOF byte ({@code QEMU_VM_VMDESCRIPTION}):
 *
 * <pre>
 * offset  size
 *  0      1     0x06
 *  1      4     len
 *  5      len   JSON, an object: '{' first  ({@link Vmdesc})
 * </pre>
 *
 * Only the end of the stream may follow it. Its JSON is what {@link Vmdesc} parses; readers that look for the
 * trailer (from the end of a file, or in buffered device state) recognise it by {@code 06 len '{'} after an EOF byte.
 */
final class VmdescTrailer {

    private static final int LENGTH_OFFSET = WireFormat.TYPE_BYTES;
    /** Header plus the JSON's opening brace: what a search must see to take a candidate seriously. */
    static final int CANDIDATE_BYTES = WireFormat.VMDESC_HEADER_BYTES + 1;

    private VmdescTrailer() {
    }

    /** Where the JSON of a trailer at {@code p} starts. */
    static int jsonOffset(int p) {
        return p + WireFormat.VMDESC_HEADER_BYTES;
    }

    /** The stream offset of the JSON of a trailer at stream offset {@code offset}. */
    static long jsonOffset(long offset) {
        return offset + WireFormat.VMDESC_HEADER_BYTES;
    }

    /** Wire length of a trailer with {@code jsonLength} bytes of JSON. */
    static int bytes(int jsonLength) {
        return WireFormat.VMDESC_HEADER_BYTES + jsonLength;
    }

    /** The longest trailer the limits allow. */
    static long maxBytes(StreamLimits limits) {
        return WireFormat.VMDESC_HEADER_BYTES + (long) limits.maxVmdescBytes();
    }

    static boolean startsAt(ByteBuffer b, int p) {
        return (b.get(p) & 0xff) == WireFormat.VMDESCRIPTION;
    }

    /** The announced JSON length (needs {@link WireFormat#VMDESC_HEADER_BYTES}). */
    static long jsonLength(ByteBuffer b, int p) {
        return b.getInt(p + LENGTH_OFFSET) & 0xffff_ffffL;
    }

    /** Whether a trailer header with a JSON object after it starts at {@code p} (needs {@link #CANDIDATE_BYTES}). */
    static boolean isCandidate(ByteBuffer b, int p) {
        return startsAt(b, p) && b.get(jsonOffset(p)) == '{';
    }

    /** Whether a whole trailer starts at {@code p} and ends exactly at {@code end}. */
    static boolean runsTo(ByteBuffer b, int p, int end) {
        return end - p >= WireFormat.VMDESC_HEADER_BYTES && startsAt(b, p)
                && jsonOffset(p) + jsonLength(b, p) == end;
    }

    /**
     * The announced JSON length, checked against the limit.
     *
     * @param offset the stream offset of {@code p}
     */
    static int checkedJsonLength(ByteBuffer b, int p, long offset, StreamLimits limits) {
        long len = jsonLength(b, p);
        if (len > limits.maxVmdescBytes()) {
            throw new StreamFormatException(offset + LENGTH_OFFSET, "vmdesc", "trailer length " + len
                    + " exceeds the limit of " + limits.maxVmdescBytes());
        }
        return (int) len;
    }

    /** The refusal of a byte after EOF that does not open the trailer. */
    static StreamFormatException junkAfterEof(int type, long offset) {
        return new StreamFormatException(offset, null, String.format("junk after EOF: byte 0x%02x where only the "
                + "vmdesc trailer (0x%02x) or the end of the stream may follow", type, WireFormat.VMDESCRIPTION));
    }

    /** The refusal of bytes after the trailer's JSON. */
    static StreamFormatException junkAfterTrailer(long bytes, long offset) {
        return new StreamFormatException(offset, null, bytes + (bytes == 1 ? " byte" : " bytes")
                + " of junk after the vmdesc trailer");
    }

    /**
     * The trailer at {@code p}, which must run exactly to {@code end}: how a walk of buffered device state ends.
     *
     * @param base the stream offset of index 0
     */
    static Vmdesc readWhole(ByteBuffer b, int p, int end, long base, StreamLimits limits) {
        if (!startsAt(b, p)) {
            throw junkAfterEof(b.get(p) & 0xff, base + p);
        }
        if (end - p < WireFormat.VMDESC_HEADER_BYTES) {
            throw new StreamFormatException(base + end, "vmdesc", "stream ends inside the trailer header (truncated)");
        }
        int len = checkedJsonLength(b, p, base + p, limits);
        long jsonEnd = (long) jsonOffset(p) + len;
        if (jsonEnd > end) {
            throw new StreamFormatException(base + end, "vmdesc", "stream ends inside the trailer: " + len
                    + " bytes announced, " + (end - jsonOffset(p)) + " present (truncated)");
        }
        if (jsonEnd < end) {
            throw junkAfterTrailer(end - jsonEnd, base + jsonEnd);
        }
        byte[] json = new byte[len];
        b.get(jsonOffset(p), json);
        return Vmdesc.parse(json, base + p, limits);
    }
}
