package dev.regshim.stream;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Map;

/**
 * Serialises a JSON tree the way QEMU's {@code json-writer} (non-pretty) writes the vmdesc: separators {@code ", "}
 * and {@code ": "}, no other whitespace, keys in insertion order, and QEMU's string escaping ({@code \"}, {@code \\},
 * {@code \b \f \n \r \t}, other control characters and everything from 0x7f as {@code \}{@code uXXXX} in upper case,
 * surrogate pairs above the BMP). Re-serialising a parsed QEMU trailer reproduces it byte for byte.
 */
final class QemuJson {

    private QemuJson() {
    }

    static String write(JsonNode node) {
        StringBuilder b = new StringBuilder(4096);
        write(node, b);
        return b.toString();
    }

    private static void write(JsonNode n, StringBuilder b) {
        if (n.isObject()) {
            b.append('{');
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            boolean first = true;
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!first) {
                    b.append(", ");
                }
                first = false;
                string(e.getKey(), b);
                b.append(": ");
                write(e.getValue(), b);
            }
            b.append('}');
        } else if (n.isArray()) {
            b.append('[');
            for (int i = 0; i < n.size(); i++) {
                if (i > 0) {
                    b.append(", ");
                }
                write(n.get(i), b);
            }
            b.append(']');
        } else if (n.isTextual()) {
            string(n.textValue(), b);
        } else if (n.isNull()) {
            b.append("null");
        } else if (n.isBoolean()) {
            b.append(n.booleanValue() ? "true" : "false");
        } else {
            b.append(n.asText());
        }
    }

    private static void string(String s, StringBuilder b) {
        b.append('"');
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            switch (cp) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\b': b.append("\\b"); break;
                case '\f': b.append("\\f"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (cp > 0xffff) {
                        int v = cp - 0x10000;
                        b.append(String.format("\\u%04X\\u%04X", 0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff)));
                    } else if (cp < 0x20 || cp >= 0x7f) {
                        b.append(String.format("\\u%04X", cp));
                    } else {
                        b.append((char) cp);
                    }
            }
        }
        b.append('"');
    }
}
