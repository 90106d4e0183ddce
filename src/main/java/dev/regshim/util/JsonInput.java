package dev.regshim.util;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.regshim.RegshimException;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A JSON document read from an untrusted file, with strict, typed access: every value is checked for its type and
 * range, nothing is coerced (a number is not a string, {@code 1.5} is not an integer, {@code 2^64} is not a 64-bit
 * value), unknown fields are refused, duplicate keys and a UTF-8 byte-order mark are refused. Every error is one line
 * naming the file and the path to the value: {@code f.json: $.sets[2].registers[5]: expected ...}.
 */
public final class JsonInput {

    private static final ObjectMapper MAPPER = new ObjectMapper(StrictJson.FACTORY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final String file;
    private final String path;
    private final JsonNode node;

    private JsonInput(String file, String path, JsonNode node) {
        this.file = file;
        this.path = path;
        this.node = node;
    }

    /** Reads {@code file}, at most {@code maxBytes} long. */
    public static JsonInput read(Path file, long maxBytes) {
        try {
            StrictJson.refuseLarger(file, maxBytes);
            try (InputStream in = Files.newInputStream(file)) {
                return parse(in.readAllBytes(), file.toString());
            }
        } catch (IOException e) {
            throw new RegshimException("cannot read " + file + ": " + SafeFiles.reason(e));
        }
    }

    /** Parses bytes (named {@code source} in errors). */
    public static JsonInput parse(byte[] bytes, String source) {
        StrictJson.refuseBom(bytes, bytes.length, source);
        try {
            JsonNode root = MAPPER.readTree(bytes);
            if (root == null || root.isMissingNode()) {
                throw new RegshimException(source + ": empty, expected a JSON document");
            }
            return new JsonInput(source, "$", root);
        } catch (JsonProcessingException e) {
            long offset = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
            throw new RegshimException(source + (offset >= 0 ? ": byte " + offset : "") + ": not valid JSON: "
                    + Text.oneLine(e.getOriginalMessage(), 120));
        } catch (IOException e) {
            throw new RegshimException("cannot read " + source + ": " + SafeFiles.reason(e));
        }
    }

    public String path() {
        return path;
    }

    public String file() {
        return file;
    }

    /** An error about this value: "FILE: PATH: message". */
    public RegshimException error(String message) {
        return new RegshimException(file + ": " + path + ": " + message);
    }

    // --- objects ---

    /** Requires an object whose field names are all in {@code allowed}. */
    public JsonInput object(Set<String> allowed) {
        if (!node.isObject()) {
            throw error("expected an object, got " + describe(node));
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!allowed.contains(n)) {
                throw new RegshimException(file + ": " + path + "." + Text.safe(n, 60) + ": unknown field (expected one of "
                        + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
        return this;
    }

    public boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    /** A required field. */
    public JsonInput get(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new RegshimException(file + ": " + path + "." + field + ": missing");
        }
        return new JsonInput(file, path + "." + field, v);
    }

    /** An optional field (absent or null: empty). */
    public Optional<JsonInput> opt(String field) {
        return has(field) ? Optional.of(get(field)) : Optional.empty();
    }

    /** The field names of an object, in order. */
    public List<String> fieldNames() {
        if (!node.isObject()) {
            throw error("expected an object, got " + describe(node));
        }
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    // --- arrays ---

    /** The elements of an array of at most {@code max} elements. */
    public List<JsonInput> array(int max) {
        if (!node.isArray()) {
            throw error("expected an array, got " + describe(node));
        }
        if (node.size() > max) {
            throw error("array of " + node.size() + " elements, more than " + max);
        }
        List<JsonInput> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            out.add(new JsonInput(file, path + "[" + i + "]", node.get(i)));
        }
        return out;
    }

    // --- scalars ---

    public String string(int maxLength) {
        if (!node.isTextual()) {
            throw error("expected a string, got " + describe(node));
        }
        String s = node.textValue();
        if (s.length() > maxLength) {
            throw error("string of " + s.length() + " characters, more than " + maxLength);
        }
        return s;
    }

    public boolean bool() {
        if (!node.isBoolean()) {
            throw error("expected true or false, got " + describe(node));
        }
        return node.booleanValue();
    }

    /** A JSON integer (no fraction, no exponent) in {@code [min, max]}. */
    public long integer(long min, long max) {
        if (!node.isIntegralNumber()) {
            throw error("expected an integer, got " + describe(node));
        }
        BigInteger v = node.bigIntegerValue();
        if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
            throw error("integer " + v + " out of range [" + min + ", " + max + "]");
        }
        return v.longValueExact();
    }

    public int integer(int min, int max) {
        return (int) integer((long) min, (long) max);
    }

    /** A {@code "0x..."} string of at most {@code bits} bits, as an unsigned value in a long. */
    public long hex(int bits) {
        String s = string(2 + 64);
        String t = s.strip().toLowerCase(Locale.ROOT);
        if (!t.startsWith("0x") || t.length() == 2 || !t.substring(2).chars().allMatch(JsonInput::isHexDigit)) {
            throw error("expected a hex string \"0x...\", got \"" + Text.safe(s, 40) + "\"");
        }
        BigInteger v = new BigInteger(t.substring(2), 16);
        if (v.bitLength() > bits) {
            throw error("value " + Text.safe(s, 40) + " does not fit in " + bits + " bits");
        }
        return v.longValue();
    }

    /** A {@code "0x..."} string of exactly {@code digits} hex digits (a register of any width). */
    public String hexDigits(int maxDigits) {
        String s = string(2 + maxDigits);
        String t = s.toLowerCase(Locale.ROOT);
        if (!t.startsWith("0x") || t.length() == 2 || !t.substring(2).chars().allMatch(JsonInput::isHexDigit)) {
            throw error("expected a hex string \"0x...\", got \"" + Text.safe(s, 40) + "\"");
        }
        return t.substring(2);
    }

    private static boolean isHexDigit(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    }

    private static String describe(JsonNode n) {
        if (n.isTextual()) {
            return "string \"" + Text.safe(n.textValue(), 40) + "\"";
        }
        if (n.isNumber()) {
            return "number " + Text.safe(n.asText(), 40);
        }
        if (n.isBoolean()) {
            return n.asText();
        }
        if (n.isArray()) {
            return "an array";
        }
        if (n.isObject()) {
            return "an object";
        }
        return n.isNull() ? "null" : n.getNodeType().toString().toLowerCase(Locale.ROOT);
    }
}
