package dev.regshim.util;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.regshim.RegshimException;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Set;

/**
 * Strict, streaming reading of an untrusted JSON file: values are pulled one token at a time (memory proportional to
 * what the caller keeps, never to a tree of the whole document), checked for type and range with no coercion, unknown
 * fields refused, duplicate keys and a byte-order mark refused. Every error is one line naming the file and the path
 * to the value: {@code f.json: $.vcpus[0].registers[3].value: expected ...}. The same rules as {@link JsonInput}, for
 * files too large for a tree.
 */
public final class JsonStreamInput implements Closeable {

    private final String source;
    private final JsonParser parser;
    private final Deque<String> path = new ArrayDeque<>();

    private JsonStreamInput(String source, JsonParser parser) {
        this.source = source;
        this.parser = parser;
    }

    /** Opens {@code file}, at most {@code maxBytes} long, positioned before its first value. */
    public static JsonStreamInput open(Path file, long maxBytes) {
        try {
            StrictJson.refuseLarger(file, maxBytes);
            return of(Files.newInputStream(file), file.toString());
        } catch (IOException e) {
            throw new RegshimException("cannot read " + file + ": " + SafeFiles.reason(e));
        }
    }

    public static JsonStreamInput of(byte[] bytes, String source) {
        return of(new ByteArrayInputStream(bytes), source);
    }

    private static JsonStreamInput of(InputStream raw, String source) {
        try {
            PushbackInputStream in = new PushbackInputStream(raw, 3);
            byte[] head = new byte[3];
            int n = in.readNBytes(head, 0, 3);
            try {
                StrictJson.refuseBom(head, n, source);
            } catch (RegshimException e) {
                raw.close();
                throw e;
            }
            in.unread(head, 0, n);
            JsonStreamInput r = new JsonStreamInput(source, StrictJson.FACTORY.createParser(in));
            r.advance();
            if (r.parser.currentToken() == null) {
                r.close();
                throw new RegshimException(source + ": empty, expected a JSON document");
            }
            return r;
        } catch (IOException e) {
            throw new RegshimException("cannot read " + source + ": " + SafeFiles.reason(e));
        }
    }

    // --- position ---

    /** {@code $.vcpus[0].registers[3]}. */
    public String path() {
        StringBuilder b = new StringBuilder("$");
        java.util.Iterator<String> it = path.descendingIterator();
        while (it.hasNext()) {
            b.append(it.next());
        }
        return b.toString();
    }

    public RegshimException error(String message) {
        return new RegshimException(source + ": " + path() + ": " + message);
    }

    private void advance() {
        try {
            parser.nextToken();
        } catch (StreamConstraintsException e) {
            throw error("too large or too deep: " + Text.oneLine(e.getOriginalMessage(), 100));
        } catch (JsonParseException e) {
            throw new RegshimException(source + ": byte " + e.getLocation().getByteOffset() + ": not valid JSON: "
                    + Text.oneLine(e.getOriginalMessage(), 100));
        } catch (IOException e) {
            throw new RegshimException("cannot read " + source + ": " + SafeFiles.reason(e));
        }
    }

    private JsonToken token() {
        return parser.currentToken();
    }

    // --- objects ---

    /** Enters an object. */
    public void beginObject() {
        if (token() != JsonToken.START_OBJECT) {
            throw error("expected an object, got " + describe());
        }
        advance();
    }

    /**
     * The next field's name (one of {@code allowed}), positioned on its value, or null at the end of the object
     * (which is then left). The caller reads or skips the value, then calls {@link #endField()}.
     */
    public String nextField(Set<String> allowed) {
        if (token() == JsonToken.END_OBJECT) {
            advance();
            return null;
        }
        String name = currentName();
        if (!allowed.contains(name)) {
            throw new RegshimException(source + ": " + path() + "." + Text.safe(name, 60) + ": unknown field (expected one of "
                    + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
        }
        path.push("." + name);
        advance();
        return name;
    }

    private String currentName() {
        try {
            return parser.currentName();
        } catch (IOException e) {
            throw error("unreadable field name");
        }
    }

    /** Leaves the current field (after its value was read). */
    public void endField() {
        path.pop();
    }

    // --- arrays ---

    private final Deque<int[]> indexes = new ArrayDeque<>();

    /** Enters an array of at most {@code max} elements. */
    public void beginArray(int max) {
        if (token() != JsonToken.START_ARRAY) {
            throw error("expected an array, got " + describe());
        }
        advance();
        indexes.push(new int[]{0, max});
        path.push("[0]");
    }

    /** True when another element follows (positioned on it); false at the end of the array (which is then left). */
    public boolean nextElement() {
        int[] ix = indexes.peek();
        path.pop();
        if (token() == JsonToken.END_ARRAY) {
            indexes.pop();
            advance();
            return false;
        }
        if (ix[0] >= ix[1]) {
            path.push("[" + ix[0] + "]");
            throw error("more than " + ix[1] + " elements");
        }
        path.push("[" + ix[0]++ + "]");
        return true;
    }

    // --- scalars (each consumes its value) ---

    public String string(int maxLength) {
        if (token() != JsonToken.VALUE_STRING) {
            throw error("expected a string, got " + describe());
        }
        String s = text();
        if (s.length() > maxLength) {
            throw error("string of " + s.length() + " characters, more than " + maxLength);
        }
        advance();
        return s;
    }

    public boolean bool() {
        if (token() != JsonToken.VALUE_TRUE && token() != JsonToken.VALUE_FALSE) {
            throw error("expected true or false, got " + describe());
        }
        boolean b = token() == JsonToken.VALUE_TRUE;
        advance();
        return b;
    }

    /** A JSON integer (no fraction, no exponent) in {@code [min, max]}. */
    public long integer(long min, long max) {
        if (token() != JsonToken.VALUE_NUMBER_INT) {
            throw error("expected an integer, got " + describe());
        }
        BigInteger v = bigInteger();
        if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
            throw error("integer " + v + " out of range [" + min + ", " + max + "]");
        }
        advance();
        return v.longValueExact();
    }

    /**
     * An unsigned 64-bit value: a JSON integer in [0, 2^64), or a string {@code "0x..."} / decimal of at most 64
     * bits. Nothing is rounded, wrapped or truncated.
     */
    public long unsigned64() {
        BigInteger v;
        if (token() == JsonToken.VALUE_NUMBER_INT) {
            v = bigInteger();
        } else if (token() == JsonToken.VALUE_STRING) {
            String s = text().strip().toLowerCase(Locale.ROOT).replace("_", "");
            if (isShortHex(s)) { // the form profiles are written in: at most 64 bits, no sign
                advance();
                return Long.parseUnsignedLong(s, 2, s.length(), 16);
            }
            try {
                v = s.startsWith("0x") ? new BigInteger(s.substring(2), 16) : new BigInteger(s, 10);
            } catch (NumberFormatException e) {
                throw error("expected \"0x...\" or a decimal value, got \"" + Text.safe(text(), 40) + "\"");
            }
            if (s.startsWith("-") || s.startsWith("0x-")) {
                throw error("negative value \"" + Text.safe(text(), 40) + "\"");
            }
        } else {
            throw error("expected an unsigned 64-bit value, got " + describe());
        }
        if (v.signum() < 0 || v.bitLength() > 64) {
            throw error("value " + Text.safe(v.toString(), 40) + " out of range [0, 2^64)");
        }
        advance();
        return v.longValue();
    }

    /** {@code 0x} and 1 to 16 ASCII hex digits (lower case). */
    private static boolean isShortHex(String s) {
        if (s.length() < 3 || s.length() > 18 || !s.startsWith("0x")) {
            return false;
        }
        for (int i = 2; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /** Skips the current value, whatever it is. */
    public void skip() {
        try {
            parser.skipChildren();
        } catch (IOException e) {
            throw error("unreadable value");
        }
        advance();
    }

    /** After the top-level value: nothing but whitespace may follow. */
    public void end() {
        if (token() != null) {
            throw new RegshimException(source + ": content after the end of the JSON document");
        }
    }

    private BigInteger bigInteger() {
        try {
            return parser.getBigIntegerValue();
        } catch (IOException e) {
            throw error("unreadable number");
        }
    }

    private String text() {
        try {
            return parser.getText();
        } catch (IOException e) {
            throw error("unreadable string");
        }
    }

    private String describe() {
        JsonToken t = token();
        if (t == null) {
            return "the end of the file";
        }
        return switch (t) {
            case VALUE_STRING -> "string \"" + Text.safe(text(), 40) + "\"";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number " + Text.safe(text(), 40);
            case VALUE_TRUE, VALUE_FALSE -> text();
            case VALUE_NULL -> "null";
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            default -> t.toString().toLowerCase(Locale.ROOT);
        };
    }

    @Override
    public void close() {
        try {
            parser.close();
        } catch (IOException ignored) {
            // reading only
        }
    }
}
