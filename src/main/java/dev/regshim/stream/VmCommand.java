package dev.regshim.stream;

/**
 * A top-level {@code QEMU_VM_COMMAND}: {@code u8 0x08, be16 cmd, be16 len, data[len]}. PACKAGED (7) is followed by
 * a payload of {@code be32 data} more bytes that {@code len} does not count (a nested stream of device sections used
 * by postcopy); those bytes arrive as {@link StreamVisitor#packagedData} calls.
 */
public record VmCommand(long offset, int cmd, byte[] data) {

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
        return Integer.toUnsignedLong(((data[0] & 0xff) << 24) | ((data[1] & 0xff) << 16)
                | ((data[2] & 0xff) << 8) | (data[3] & 0xff));
    }

    public int encodedLength() {
        return WireFormat.COMMAND_HEADER_BYTES + data.length;
    }
}
