package dev.regshim.stream;

import java.util.List;

/**
 * The MEM_SIZE record that opens the RAM START section.
 *
 * @param offset     offset of the record's be64 header
 * @param header     the raw {@code be64 total|MEM_SIZE} (kept whole so that any flag bits round-trip)
 * @param totalBytes sum of the blocks' used lengths
 * @param blocks     in wire order
 */
public record RamBlockList(long offset, long header, long totalBytes, List<RamBlock> blocks) {

    public RamBlockList {
        blocks = List.copyOf(blocks);
    }

    public int encodedLength() {
        int n = RamFlags.RECORD_HEADER_BYTES;
        for (RamBlock b : blocks) {
            n += b.encodedLength();
        }
        return n;
    }
}
