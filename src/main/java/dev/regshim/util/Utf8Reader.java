package dev.regshim.util;

import dev.regshim.RegshimException;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 text from an untrusted file: a malformed byte sequence is a one-line {@link RegshimException} naming the
 * source and the byte offset of the bad sequence ({@code fleet.txt: invalid UTF-8 at byte offset 7}) instead of the
 * JDK's bare {@code Input length = 1}. Streams: memory is the buffer, whatever the file's size.
 */
public final class Utf8Reader extends Reader {

    private static final int BUFFER = 8192;

    private final InputStream in;
    private final String source;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteBuffer bytes = ByteBuffer.allocate(BUFFER).flip();
    /** A decoded character that did not fit the caller's buffer (the low half of a surrogate pair). */
    private final CharBuffer spill = CharBuffer.allocate(2).flip();
    /** The offset in the input of {@code bytes}' index 0. */
    private long base;
    private boolean eof;
    private boolean flushed;

    public Utf8Reader(InputStream in, String source) {
        this.in = in;
        this.source = source;
    }

    @Override
    public int read(char[] cbuf, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (spill.hasRemaining()) {
            int n = Math.min(len, spill.remaining());
            spill.get(cbuf, off, n);
            return n;
        }
        if (len == 1) { // a supplementary character needs two chars: decode into two, keep the second
            char[] two = new char[2];
            int n = read(two, 0, 2);
            if (n < 0) {
                return -1;
            }
            spill.clear();
            spill.put(two, 1, n - 1).flip();
            cbuf[off] = two[0];
            return 1;
        }
        CharBuffer out = CharBuffer.wrap(cbuf, off, len);
        while (out.position() == off) {
            if (flushed) {
                return -1;
            }
            CoderResult r = decoder.decode(bytes, out, eof);
            if (r.isError()) {
                throw new RegshimException(source + ": invalid UTF-8 at byte offset " + (base + bytes.position()));
            }
            if (r.isUnderflow()) {
                if (eof) {
                    decoder.flush(out);
                    flushed = true;
                } else if (out.position() == off) {
                    fill();
                }
            }
        }
        return out.position() - off;
    }

    private void fill() throws IOException {
        base += bytes.position();
        bytes.compact();
        int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
        if (n < 0) {
            eof = true;
        } else {
            bytes.position(bytes.position() + n);
        }
        bytes.flip();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
