package dev.regshim.stream;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A section header as it appears on the wire. START and FULL carry the idstr, instance and version; PART and END carry
 * only the section id, and the reader fills the rest in from the START it belongs to (so {@link #encodedLength()} and
 * the writer know which form to use from {@link #type()}).
 *
 * <pre>
 * offset     size
 *  0         1        type: START 0x01, PART 0x02, END 0x03, FULL 0x04
 *  1         4        section_id            (PART/END end here: {@link WireFormat#SECTION_ID_BYTES})
 *  5         1        idstr length n, 1..255
 *  6         n        idstr, e.g. "ram", "cpu"
 *  6+n       4        instance_id
 *  10+n      4        version_id            ({@link WireFormat#FULL_HEADER_FIXED_BYTES} + n in all)
 * </pre>
 *
 * @param offset     absolute offset of the type byte
 * @param type       {@link WireFormat#SECTION_START} .. {@link WireFormat#SECTION_FULL}
 * @param sectionId  QEMU's registration-order id: differs between runs and configurations, never match on it
 * @param idstr      handler name, e.g. {@code ram}, {@code cpu}; bytes kept as ISO-8859-1 so any input round-trips
 * @param instanceId e.g. the vCPU index for {@code cpu}
 * @param versionId  the handler's vmstate version (22 for the ARM cpu)
 */
public record SectionHeader(long offset, int type, int sectionId, String idstr, int instanceId, int versionId) {

    private static final int ID_OFFSET = WireFormat.TYPE_BYTES;
    private static final int IDSTR_LENGTH_OFFSET = WireFormat.SECTION_ID_BYTES;
    private static final int IDSTR_OFFSET = IDSTR_LENGTH_OFFSET + 1;
    /** Bytes of a START/FULL header needed to know its length. */
    private static final int LENGTH_KNOWN_BYTES = IDSTR_OFFSET;

    public boolean hasFullHeader() {
        return type == WireFormat.SECTION_START || type == WireFormat.SECTION_FULL;
    }

    /** Bytes of the header on the wire. */
    public int encodedLength() {
        return hasFullHeader() ? fullBytes(idstr.length()) : WireFormat.SECTION_ID_BYTES;
    }

    public byte[] idstrBytes() {
        return idstr.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** {@code section 7 'cpu' instance 0}, the location part of error messages. */
    public String describe() {
        return "section " + Integer.toUnsignedString(sectionId) + " '" + printable(idstr) + "' instance "
                + Integer.toUnsignedString(instanceId);
    }

    /** A name as it can appear in a one-line message: control and non-ASCII bytes escaped. */
    public static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '\'') {
                b.append(c);
            } else {
                b.append(String.format("\\x%02x", (int) c & 0xff));
            }
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- reading

    /** The section id of any header at {@code p} (needs {@link WireFormat#SECTION_ID_BYTES}). */
    static int sectionId(ByteBuffer b, int p) {
        return b.getInt(p + ID_OFFSET);
    }

    /** The idstr length of a START/FULL header (needs {@link #LENGTH_KNOWN_BYTES}). */
    static int idstrLength(ByteBuffer b, int p) {
        return b.get(p + IDSTR_LENGTH_OFFSET) & 0xff;
    }

    /**
     * The bytes a START/FULL header at {@code p} needs before it can be read, of which {@code available} are there:
     * {@link #LENGTH_KNOWN_BYTES} until its idstr length is known, then its whole length. An incremental reader asks
     * for that many.
     */
    static int bytesNeeded(ByteBuffer b, int p, int available) {
        return available < LENGTH_KNOWN_BYTES ? LENGTH_KNOWN_BYTES : fullBytes(idstrLength(b, p));
    }

    /** Wire length of a START/FULL header with an idstr of {@code idstrLength} bytes. */
    static int fullBytes(int idstrLength) {
        return WireFormat.FULL_HEADER_FIXED_BYTES + idstrLength;
    }

    /**
     * Reads the START/FULL header at {@code p}, or returns null when {@code end} comes before its end (the caller
     * decides whether that is "need more" or truncation). Its idstr length is checked as soon as it is there.
     *
     * @param offset the stream offset of {@code p}
     */
    static SectionHeader tryReadFull(ByteBuffer b, int p, int end, long offset, StreamLimits limits) {
        if (end - p < LENGTH_KNOWN_BYTES) {
            return null;
        }
        int type = b.get(p) & 0xff;
        int id = sectionId(b, p);
        int len = idstrLength(b, p);
        long lengthAt = offset + IDSTR_LENGTH_OFFSET;
        if (len > limits.maxNameLength()) {
            throw new StreamFormatException(lengthAt, null, WireFormat.typeName(type) + " section idstr length " + len
                    + " exceeds the limit of " + limits.maxNameLength());
        }
        if (len == 0) {
            throw new StreamFormatException(lengthAt, null, WireFormat.typeName(type) + " section "
                    + Integer.toUnsignedString(id) + " has an empty idstr");
        }
        if (end - p < fullBytes(len)) {
            return null;
        }
        byte[] name = new byte[len];
        b.get(p + IDSTR_OFFSET, name);
        int instance = b.getInt(p + IDSTR_OFFSET + len);
        int version = b.getInt(p + IDSTR_OFFSET + len + Integer.BYTES);
        return new SectionHeader(offset, type, id, new String(name, StandardCharsets.ISO_8859_1), instance, version);
    }

    /** As {@link #tryReadFull}, with the end of {@code b[p, end)} being the end of the stream. */
    static SectionHeader readFull(ByteBuffer b, int p, int end, long offset, StreamLimits limits) {
        SectionHeader h = tryReadFull(b, p, end, offset, limits);
        if (h == null) {
            throw new StreamFormatException(offset, null, "stream ends inside a section header (truncated)");
        }
        return h;
    }

    /**
     * Whether a FULL header with a plausible idstr (printable, within the limit) lies wholly in {@code b[p, end)}:
     * how a footer scan tells the next section from field data that happens to look like a footer.
     */
    static boolean plausibleFull(ByteBuffer b, int p, int end, StreamLimits limits) {
        if (end - p < LENGTH_KNOWN_BYTES) {
            return false;
        }
        int len = idstrLength(b, p);
        return len > 0 && len <= limits.maxNameLength() && end - p >= fullBytes(len)
                && isPrintable(b, p + IDSTR_OFFSET, len);
    }

    private static boolean isPrintable(ByteBuffer b, int p, int len) {
        for (int i = 0; i < len; i++) {
            int c = b.get(p + i) & 0xff;
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
