package dev.regshim.stream;

import dev.regshim.RegshimException;

/**
 * A migration stream that is malformed, truncated, hostile or uses a feature regshim cannot decode. The message is one
 * line and always says where: {@code offset 467813 (section 7 'cpu' instance 0): cpreg index 12 ...}.
 */
public final class StreamFormatException extends RegshimException {

    private final long offset;
    private final String where;
    /** The first four bytes when they are not the stream magic (the error is then about them), else null. */
    private final Integer foundMagic;
    private final String detail;

    /**
     * @param offset absolute byte offset in the stream (from the {@code QEVM} magic)
     * @param where  the section or structure the offset is in, e.g. {@code section 7 'cpu' instance 0}; may be null
     * @param detail what is wrong, without the location
     */
    public StreamFormatException(long offset, String where, String detail) {
        this(format(offset, where, detail), offset, where, detail, null, null);
    }

    private StreamFormatException(String message, long offset, String where, String detail, Integer foundMagic,
                                  StreamFormatException cause) {
        super(message, cause);
        this.offset = offset;
        this.where = where;
        this.detail = detail;
        this.foundMagic = foundMagic;
    }

    /** The input does not start with the stream magic: it starts with {@code magic}. */
    static StreamFormatException badMagic(long offset, int magic, String detail) {
        return new StreamFormatException(format(offset, null, detail), offset, null, detail, magic, null);
    }

    /** The same problem with the file it is in named first: {@code a.mig: offset 500000: ...}; once only. */
    public StreamFormatException inFile(Object file) {
        String prefix = file + ": ";
        return getMessage().startsWith(prefix) ? this
                : new StreamFormatException(prefix + getMessage(), offset, where, detail, foundMagic, this);
    }

    /**
     * The same problem found in the stream decompressed out of {@code file} (a compressed stream or save image): the
     * message names the file and says that the offset counts bytes of the decompressed stream, not of the file.
     */
    public StreamFormatException inDecompressedStreamOf(String file) {
        StreamFormatException e = new StreamFormatException(file + ": decompressed stream " + format(offset, where,
                detail), offset, where, detail, foundMagic, null);
        e.setStackTrace(getStackTrace());
        return e;
    }

    private static String format(long offset, String where, String detail) {
        String oneLine = detail.replace('\n', ' ').replace('\r', ' ');
        return where == null || where.isEmpty()
                ? "offset " + offset + ": " + oneLine
                : "offset " + offset + " (" + where + "): " + oneLine;
    }

    /** Byte offset of the problem in the stream. */
    public long offset() {
        return offset;
    }

    /** When the input does not start with the stream magic, what it starts with (e.g. another protocol's magic). */
    public java.util.OptionalInt foundMagic() {
        return foundMagic == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(foundMagic);
    }

    /** The section or structure the problem is in, or null at the top level. */
    public String where() {
        return where;
    }
}
