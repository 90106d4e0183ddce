package dev.regshim.stream;

import java.nio.charset.StandardCharsets;

/**
 * A section header as it appears on the wire. START and FULL carry the idstr, instance and version; PART and END carry
 * only the section id, and the reader fills the rest in from the START it belongs to (so {@link #encodedLength()} and
 * the writer know which form to use from {@link #type()}).
 *
 * @param offset     absolute offset of the type byte
 * @param type       {@link WireFormat#SECTION_START} .. {@link WireFormat#SECTION_FULL}
 * @param sectionId  QEMU's registration-order id: differs between runs and configurations, never match on it
 * @param idstr      handler name, e.g. {@code ram}, {@code cpu}; bytes kept as ISO-8859-1 so any input round-trips
 * @param instanceId e.g. the vCPU index for {@code cpu}
 * @param versionId  the handler's vmstate version (22 for the ARM cpu)
 */
public record SectionHeader(long offset, int type, int sectionId, String idstr, int instanceId, int versionId) {

    public boolean hasFullHeader() {
        return type == WireFormat.SECTION_START || type == WireFormat.SECTION_FULL;
    }

    /** Bytes of the header on the wire. */
    public int encodedLength() {
        return hasFullHeader() ? WireFormat.FULL_HEADER_FIXED_BYTES + idstr.length() : WireFormat.SECTION_ID_BYTES;
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
}
