package dev.regshim.stream;

import java.nio.ByteBuffer;

/**
 * The footer that closes every section (QEMU's {@code QEMU_VM_SECTION_FOOTER}, always sent since 2.4):
 *
 * <pre>
 * offset  size
 *  0      1     0x7e
 *  1      4     section_id, the same as in the section's header
 * </pre>
 */
final class SectionFooter {

    private static final int ID_OFFSET = WireFormat.TYPE_BYTES;

    private SectionFooter() {
    }

    static boolean startsAt(ByteBuffer b, int p) {
        return (b.get(p) & 0xff) == WireFormat.SECTION_FOOTER;
    }

    /** Whether the footer of section {@code sectionId} is at {@code p} (needs {@link WireFormat#FOOTER_BYTES}). */
    static boolean closes(ByteBuffer b, int p, int sectionId) {
        return startsAt(b, p) && b.getInt(p + ID_OFFSET) == sectionId;
    }

    /**
     * Checks that the footer at {@code p}, whose type byte the caller has checked, names section {@code h}.
     *
     * @param offset the stream offset of {@code p}
     */
    static void checkNames(ByteBuffer b, int p, long offset, SectionHeader h) {
        int id = b.getInt(p + ID_OFFSET);
        if (id != h.sectionId()) {
            throw new StreamFormatException(offset, h.describe(), "footer names section "
                    + Integer.toUnsignedString(id) + ", expected " + Integer.toUnsignedString(h.sectionId()));
        }
    }

    /**
     * Checks the footer that must follow a device section's field data at {@code p}.
     *
     * @param base the stream offset of index 0
     * @param how  how the field data was delimited, for the message
     */
    static void checkAfterFields(ByteBuffer b, int p, int end, long base, SectionHeader h, String how) {
        if (end - p < WireFormat.FOOTER_BYTES) {
            throw new StreamFormatException(base + end, h.describe(), "stream ends before the section footer"
                    + " (truncated)");
        }
        if (!startsAt(b, p)) {
            throw new StreamFormatException(base + p, h.describe(), String.format("expected the section footer 0x%02x"
                    + " after the field data (%s), found 0x%02x", WireFormat.SECTION_FOOTER, how, b.get(p) & 0xff));
        }
        checkNames(b, p, base + p, h);
    }
}
