package dev.regshim.stream;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The file header every stream starts with ({@code QEMU_VM_FILE_MAGIC}, {@code QEMU_VM_FILE_VERSION}):
 *
 * <pre>
 * offset  size
 *  0      4     magic    0x5145564d "QEVM"
 *  4      4     version  3 (2 was the SaveVM format before QEMU 0.13)
 * </pre>
 *
 * The decoder checks it; the containers use {@link #startsWithMagic} to tell a bare stream from what wraps one.
 */
public final class StreamHeader {

    /** Bytes of the magic: what a sniffer must read to recognise a bare stream. */
    public static final int MAGIC_BYTES = Integer.BYTES;
    private static final int VERSION_OFFSET = MAGIC_BYTES;
    /** The version before {@link WireFormat#VERSION}, named in its refusal. */
    private static final int SAVEVM_V2 = 2;

    private StreamHeader() {
    }

    /** The magic as a file's first bytes. */
    public static byte[] magicBytes() {
        return ByteBuffer.allocate(MAGIC_BYTES).putInt(WireFormat.MAGIC).array();
    }

    /** {@code QEVM}, the magic as text. */
    public static String magicText() {
        return new String(magicBytes(), StandardCharsets.US_ASCII);
    }

    /** Whether {@code head} starts with the magic (false when it is shorter). */
    public static boolean startsWithMagic(byte[] head) {
        return head.length >= MAGIC_BYTES && hasMagic(ByteBuffer.wrap(head), 0);
    }

    static boolean hasMagic(ByteBuffer b, int p) {
        return b.getInt(p) == WireFormat.MAGIC;
    }

    /**
     * Checks the {@link WireFormat#HEADER_BYTES} at {@code p} and returns the version.
     *
     * @param offset the stream offset of {@code p}
     */
    static int check(ByteBuffer b, int p, long offset) {
        int magic = b.getInt(p);
        int version = b.getInt(p + VERSION_OFFSET);
        if (magic != WireFormat.MAGIC) {
            throw StreamFormatException.badMagic(offset, magic, String.format("not a QEMU migration stream: magic "
                    + "0x%08x, expected 0x%08x (%s)", magic, WireFormat.MAGIC, magicText()));
        }
        if (version != WireFormat.VERSION) {
            throw new StreamFormatException(offset + VERSION_OFFSET, null, "stream version "
                    + Integer.toUnsignedString(version) + (version == SAVEVM_V2 ? " (the obsolete SaveVM v2 format)" : "")
                    + " is not supported; expected " + WireFormat.VERSION);
        }
        return version;
    }
}
