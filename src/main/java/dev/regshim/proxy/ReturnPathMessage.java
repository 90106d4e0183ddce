package dev.regshim.proxy;

import java.nio.ByteBuffer;

/**
 * One message of QEMU's migration return path: what the destination sends back to the source on the same connection
 * once the source has sent {@code OPEN_RETURN_PATH} (the {@code return-path} capability).
 *
 * <pre>
 * offset 0  be16 type      {@link #SHUT} .. {@link #SWITCHOVER_ACK}
 * offset 2  be16 length    of the data; fixed per type where QEMU fixes it, at most {@value #MAX_DATA_BYTES}
 * offset 4  data[length]
 * </pre>
 *
 * {@code SHUT} (be32 0 = loaded, else failed) is the destination's last word; {@code PONG} echoes a {@code PING}.
 * The page-request, bitmap and resume messages belong to postcopy, which the proxy does not carry.
 */
public record ReturnPathMessage(int type, byte[] data) {

    public static final int TYPE_OFFSET = 0;
    public static final int LENGTH_OFFSET = TYPE_OFFSET + Short.BYTES;
    public static final int HEADER_BYTES = LENGTH_OFFSET + Short.BYTES;
    /** The source QEMU reads a message into a 512-byte buffer and rejects longer ones. */
    public static final int MAX_DATA_BYTES = 512;

    public static final int SHUT = 1;
    public static final int PONG = 2;
    public static final int REQ_PAGES_ID = 3;
    public static final int REQ_PAGES = 4;
    public static final int RECV_BITMAP = 5;
    public static final int RESUME_ACK = 6;
    /** QEMU 8.1+, with the {@code switchover-ack} capability. */
    public static final int SWITCHOVER_ACK = 7;

    private static final String[] NAMES = {"INVALID", "SHUT", "PONG", "REQ_PAGES_ID", "REQ_PAGES", "RECV_BITMAP",
        "RESUME_ACK", "SWITCHOVER_ACK"};
    /** Data length per type, -1 where it varies (QEMU's rp_cmd_args). */
    private static final int[] LENGTHS = {-1, Integer.BYTES, Integer.BYTES, -1, Long.BYTES + Integer.BYTES, -1,
        Integer.BYTES, 0};

    public static boolean isKnown(int type) {
        return type > 0 && type < NAMES.length;
    }

    public static String name(int type) {
        return type >= 0 && type < NAMES.length ? NAMES[type] : String.format("0x%04x", type);
    }

    /** The fixed data length of a known type, or -1 when it varies. */
    public static int expectedLength(int type) {
        return isKnown(type) ? LENGTHS[type] : -1;
    }

    /** Whether the message only occurs in postcopy (page requests, bitmap recovery). */
    public boolean isPostcopy() {
        return type == REQ_PAGES_ID || type == REQ_PAGES || type == RECV_BITMAP || type == RESUME_ACK;
    }

    public String name() {
        return name(type);
    }

    /** The be32 value of SHUT / PONG / RESUME_ACK. */
    public long be32() {
        return Integer.toUnsignedLong(ByteBuffer.wrap(data).getInt(0));
    }

    /** The message as it is on the wire. */
    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + data.length);
        b.putShort((short) type).putShort((short) data.length).put(data);
        return b.array();
    }

    @Override
    public String toString() {
        return data.length == Integer.BYTES ? name() + " " + be32() : name() + " (" + data.length + " bytes)";
    }
}
