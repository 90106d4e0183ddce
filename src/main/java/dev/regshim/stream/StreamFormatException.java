package dev.regshim.stream;

import dev.regshim.RegshimException;

/**
 * A migration stream that is malformed, truncated, hostile or uses a feature regshim cannot decode. The message is one
 * line and always says where: {@code offset 467813 (section 7 'cpu' instance 0): cpreg index 12 ...}.
 */
public final class StreamFormatException extends RegshimException {

    private final long offset;
    private final String where;

    /**
     * @param offset absolute byte offset in the stream (from the {@code QEVM} magic)
     * @param where  the section or structure the offset is in, e.g. {@code section 7 'cpu' instance 0}; may be null
     * @param detail what is wrong, without the location
     */
    public StreamFormatException(long offset, String where, String detail) {
        super(format(offset, where, detail));
        this.offset = offset;
        this.where = where;
    }

    private StreamFormatException(String message, long offset, String where, StreamFormatException cause) {
        super(message, cause);
        this.offset = offset;
        this.where = where;
    }

    /** The same problem with the file it is in named first: {@code a.mig: offset 500000: ...}; once only. */
    public StreamFormatException inFile(Object file) {
        String prefix = file + ": ";
        return getMessage().startsWith(prefix) ? this : new StreamFormatException(prefix + getMessage(), offset, where, this);
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

    /** The section or structure the problem is in, or null at the top level. */
    public String where() {
        return where;
    }
}
