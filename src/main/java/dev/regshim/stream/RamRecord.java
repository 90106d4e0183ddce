package dev.regshim.stream;

/**
 * A ZERO, PAGE or EOS record of the RAM section (the MEM_SIZE record is a {@link RamBlockList}). A PAGE record's
 * {@code pageSize} data bytes follow as {@link StreamVisitor#ramPageData} calls.
 *
 * @param offset    offset of the be64 header
 * @param header    raw {@code be64 offset|flags}
 * @param flags     the flag bits of the header
 * @param blockName the block idstr on the wire, or null when the record has CONTINUE (same block as the previous one)
 * @param block     the block the record belongs to (null for EOS)
 * @param fill      the fill byte of a ZERO record, else -1
 */
public record RamRecord(long offset, long header, int flags, String blockName, RamBlock block, int fill) {

    public boolean isPage() {
        return (flags & RamFlags.PAGE) != 0;
    }

    public boolean isZero() {
        return (flags & RamFlags.ZERO) != 0;
    }

    public boolean isEos() {
        return (flags & RamFlags.EOS) != 0;
    }

    /** Header bytes on the wire, without a PAGE's data. */
    public int encodedHeaderLength() {
        return RamFlags.RECORD_HEADER_BYTES + (blockName == null ? 0 : 1 + blockName.length()) + (isZero() ? 1 : 0);
    }
}
