package dev.regshim.stream;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The header of a subsection, nested in a section's field data (or the configuration record) wherever QEMU's
 * {@code needed()} says so:
 *
 * <pre>
 * offset     size
 *  0         1        0x05
 *  1         1        name length n
 *  2         n        name, e.g. "cpu/vfp" (parent vmsd name, '/', own name)
 *  2+n       4        version_id
 *  6+n                the subsection's fields, then its own subsections
 * </pre>
 */
final class SubsectionHeader {

    private static final int NAME_LENGTH_OFFSET = WireFormat.TYPE_BYTES;
    private static final int NAME_OFFSET = NAME_LENGTH_OFFSET + 1;
    /** Bytes needed to know the header's length. */
    private static final int LENGTH_KNOWN_BYTES = NAME_OFFSET;

    private SubsectionHeader() {
    }

    static boolean startsAt(ByteBuffer b, int p) {
        return (b.get(p) & 0xff) == WireFormat.SUBSECTION;
    }

    /** Needs {@link #LENGTH_KNOWN_BYTES} at {@code p}. */
    static int nameLength(ByteBuffer b, int p) {
        return b.get(p + NAME_LENGTH_OFFSET) & 0xff;
    }

    /**
     * The bytes a header at {@code p} needs before it can be read, of which {@code available} are there:
     * {@link #LENGTH_KNOWN_BYTES} until its name length is known, then its whole length.
     */
    static int bytesNeeded(ByteBuffer b, int p, int available) {
        return available < LENGTH_KNOWN_BYTES ? LENGTH_KNOWN_BYTES : bytes(nameLength(b, p));
    }

    /** Wire length of a header with a name of {@code nameLength} bytes. */
    static int bytes(int nameLength) {
        return WireFormat.SUBSECTION_HEADER_FIXED_BYTES + nameLength;
    }

    /** The name (ISO-8859-1, so that any byte round-trips); needs the whole header. */
    static String name(ByteBuffer b, int p) {
        byte[] name = new byte[nameLength(b, p)];
        b.get(p + NAME_OFFSET, name);
        return new String(name, StandardCharsets.ISO_8859_1);
    }

    static int version(ByteBuffer b, int p) {
        return b.getInt(p + NAME_OFFSET + nameLength(b, p));
    }

    /** Whether a header naming exactly {@code name} starts at {@code p} (needs its bytes). */
    static boolean names(ByteBuffer b, int p, byte[] name) {
        return startsAt(b, p) && nameLength(b, p) == name.length
                && b.slice(p + NAME_OFFSET, name.length).equals(ByteBuffer.wrap(name));
    }
}
