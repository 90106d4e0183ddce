package dev.regshim.stream;

import java.nio.ByteBuffer;

/**
 * A top-level {@code QEMU_VM_COMMAND}:
 *
 * <pre>
 * offset  size
 *  0      1     0x08
 *  1      2     cmd, 1..11 (below)
 *  3      2     len
 *  5      len   data        ({@link WireFormat#COMMAND_HEADER_BYTES} + len in all)
 * </pre>
 *
 * PACKAGED (7) is followed by a payload of {@code be32 data} more bytes that {@code len} does not count (a nested
 * stream of device sections used by postcopy); those bytes arrive as {@link StreamVisitor#packagedData} calls.
 */
public record VmCommand(long offset, int cmd, byte[] data) {

    private static final int CMD_OFFSET = WireFormat.TYPE_BYTES;
    private static final int LENGTH_OFFSET = CMD_OFFSET + Short.BYTES;
    /** POSTCOPY_ADVISE carries nothing, or the source's page-size summary and target page size (be64 each). */
    private static final int POSTCOPY_ADVISE_LENGTH = 2 * Long.BYTES;

    public static final int OPEN_RETURN_PATH = 1;
    public static final int PING = 2;
    public static final int POSTCOPY_ADVISE = 3;
    public static final int POSTCOPY_LISTEN = 4;
    public static final int POSTCOPY_RUN = 5;
    public static final int POSTCOPY_RAM_DISCARD = 6;
    public static final int PACKAGED = 7;
    public static final int ENABLE_COLO = 8;
    public static final int POSTCOPY_RESUME = 9;
    public static final int RECV_BITMAP = 10;
    /** QEMU 10.0+ with machine type 10.0 or newer; a QEMU 7.2 loader rejects it. */
    public static final int SWITCHOVER_START = 11;

    private static final String[] NAMES = {null, "OPEN_RETURN_PATH", "PING", "POSTCOPY_ADVISE", "POSTCOPY_LISTEN",
        "POSTCOPY_RUN", "POSTCOPY_RAM_DISCARD", "PACKAGED", "ENABLE_COLO", "POSTCOPY_RESUME", "RECV_BITMAP",
        "SWITCHOVER_START"};

    public String name() {
        return name(cmd);
    }

    public static String name(int cmd) {
        return cmd > 0 && cmd < NAMES.length ? NAMES[cmd] : String.format("0x%x", cmd);
    }

    public static boolean isKnown(int cmd) {
        return cmd > 0 && cmd < NAMES.length;
    }

    /** The fixed data length QEMU uses for the command, or -1 when it varies. */
    public static int expectedLength(int cmd) {
        switch (cmd) {
            case OPEN_RETURN_PATH:
            case POSTCOPY_LISTEN:
            case POSTCOPY_RUN:
            case ENABLE_COLO:
            case POSTCOPY_RESUME:
            case SWITCHOVER_START:
                return 0;
            case PING:
            case PACKAGED:
                return Integer.BYTES;
            default:
                return -1;
        }
    }

    /** For PACKAGED: the payload length that follows the command. */
    public long packagedLength() {
        if (cmd != PACKAGED) {
            return 0;
        }
        return Integer.toUnsignedLong(ByteBuffer.wrap(data).getInt(0));
    }

    public int encodedLength() {
        return WireFormat.COMMAND_HEADER_BYTES + data.length;
    }

    // ---------------------------------------------------------------- reading

    /** The command number of the header at {@code p} (needs {@link WireFormat#COMMAND_HEADER_BYTES}). */
    static int cmdAt(ByteBuffer b, int p) {
        return b.getShort(p + CMD_OFFSET) & 0xffff;
    }

    /** The data length of the header at {@code p}. */
    static int lengthAt(ByteBuffer b, int p) {
        return b.getShort(p + LENGTH_OFFSET) & 0xffff;
    }

    /**
     * Checks the command header at {@code p} (needs {@link WireFormat#COMMAND_HEADER_BYTES}) and returns the wire
     * length of the whole command, header and data (not a PACKAGED command's payload).
     *
     * @param offset the stream offset of {@code p}
     */
    static int checkedLength(ByteBuffer b, int p, long offset) {
        int len = lengthAt(b, p);
        check(cmdAt(b, p), len, offset);
        return WireFormat.COMMAND_HEADER_BYTES + len;
    }

    /** Checks a command header: a known command with the length QEMU sends for it. */
    private static void check(int cmd, int len, long offset) {
        if (!isKnown(cmd)) {
            throw new StreamFormatException(offset, null, String.format("unknown command 0x%x (length %d)", cmd, len));
        }
        int expect = expectedLength(cmd);
        if (expect >= 0 && expect != len) {
            throw new StreamFormatException(offset, null, "command " + name(cmd) + " has length " + len
                    + ", expected " + expect);
        }
        if (cmd == POSTCOPY_ADVISE && len != 0 && len != POSTCOPY_ADVISE_LENGTH) {
            throw new StreamFormatException(offset, null, "command POSTCOPY_ADVISE has length " + len
                    + ", expected 0 or " + POSTCOPY_ADVISE_LENGTH);
        }
    }

    /**
     * The whole command at {@code p}, its header already checked (needs its header and data).
     *
     * @param offset the stream offset of {@code p}
     */
    static VmCommand read(ByteBuffer b, int p, long offset) {
        byte[] data = new byte[lengthAt(b, p)];
        b.get(p + WireFormat.COMMAND_HEADER_BYTES, data);
        return new VmCommand(offset, cmdAt(b, p), data);
    }

    /**
     * Whether a complete, known, non-PACKAGED command whose fixed length (if it has one) matches lies in
     * {@code b[p, end)}: how a footer scan tells the next record from field data that happens to look like a footer.
     */
    static boolean plausibleAt(ByteBuffer b, int p, int end) {
        if (end - p < WireFormat.COMMAND_HEADER_BYTES) {
            return false;
        }
        int cmd = cmdAt(b, p);
        int len = lengthAt(b, p);
        int expect = expectedLength(cmd);
        return isKnown(cmd) && cmd != PACKAGED && (expect < 0 || expect == len)
                && end - p >= WireFormat.COMMAND_HEADER_BYTES + len;
    }
}
