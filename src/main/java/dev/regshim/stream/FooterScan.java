package dev.regshim.stream;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Ends a non-cpu FULL section held in a buffer without a vmdesc ({@link DeviceSection.WalkMethod#FOOTER_SCAN}): at the
 * first {@code 7e <section id>} after which comes the end of the buffer, a plausible FULL header, a plausible command,
 * or EOF (with a trailer that runs exactly to the end). Field data that merely looks like a footer is told apart by
 * what follows it; the section is not decoded.
 */
final class FooterScan {

    private final StreamLimits limits;

    FooterScan(StreamLimits limits) {
        this.limits = limits;
    }

    /** Walks the section whose header {@code h} starts at {@code pos}. */
    WalkedSection walk(ByteBuffer b, int pos, int end, long base, SectionHeader h) {
        int bodyStart = pos + h.encodedLength();
        // strict first; then accept EOF followed by anything, so that junk after EOF is reported as such
        for (boolean lenient : new boolean[]{false, true}) {
            for (int q = bodyStart; q + WireFormat.FOOTER_BYTES <= end; q++) {
                if (SectionFooter.closes(b, q, h.sectionId())
                        && plausibleNext(b, q + WireFormat.FOOTER_BYTES, end, lenient)) {
                    byte[] body = new byte[q - bodyStart];
                    b.get(bodyStart, body);
                    DeviceSection s = new DeviceSection(h, body, null, DeviceSection.WalkMethod.FOOTER_SCAN,
                            List.of());
                    return new WalkedSection(s, q + WireFormat.FOOTER_BYTES);
                }
            }
        }
        throw new StreamFormatException(base + end, h.describe(), "stream ends without this section's footer "
                + "(truncated, or corrupt: without a vmdesc a non-cpu section ends at its footer followed by the next "
                + "section or EOF)");
    }

    private boolean plausibleNext(ByteBuffer b, int p, int end, boolean lenient) {
        if (p == end) {
            return true;
        }
        switch (b.get(p) & 0xff) {
            case WireFormat.EOF:
                // EOF at the very end, or EOF + a trailer that runs exactly to the end
                return lenient || p + 1 == end || VmdescTrailer.runsTo(b, p + 1, end);
            case WireFormat.SECTION_FULL:
                return SectionHeader.plausibleFull(b, p, end, limits);
            case WireFormat.COMMAND:
                return VmCommand.plausibleAt(b, p, end);
            default:
                return false;
        }
    }
}
