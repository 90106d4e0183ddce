package dev.regshim.util;

/**
 * Text from untrusted input made safe for a terminal: control characters (NUL, ESC, newlines...) escaped as
 * {@code \xNN} or {@code \n}, and long strings cut with an ellipsis, so one bad byte cannot forge output lines or
 * drive the terminal.
 */
public final class Text {

    private Text() {
    }

    /** {@code s} with control characters escaped, cut to about {@code max} characters. */
    public static String safe(String s, int max) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), max) + 8);
        for (int i = 0; i < s.length(); i++) {
            if (b.length() >= max) {
                b.append("...");
                break;
            }
            char c = s.charAt(i);
            if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** The first line of {@code s}, made safe and cut to {@code max}. */
    public static String oneLine(String s, int max) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return safe(nl >= 0 ? s.substring(0, nl) : s, max);
    }
}
