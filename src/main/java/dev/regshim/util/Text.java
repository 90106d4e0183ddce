package dev.regshim.util;

/**
 * Text from untrusted input made safe for a terminal: control characters (NUL, ESC, CR, LF, DEL, C1) escaped as
 * {@code \xNN}, and long strings cut with an ellipsis, so one bad byte cannot forge output lines or drive the
 * terminal. {@link #errorLine} is the one rule every error line the CLI prints goes through.
 */
public final class Text {

    /** The longest error line the CLI prints, prefix included. */
    public static final int MAX_ERROR_LINE = 200;
    private static final String ELLIPSIS = " ... ";

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
            appendEscaped(b, s.charAt(i));
        }
        return b.toString();
    }

    /** {@code s} with every control character escaped, never cut: for names in normal output. */
    public static String escape(String s) {
        if (s == null) {
            return "null";
        }
        for (int i = 0; i < s.length(); i++) {
            if (isControl(s.charAt(i))) {
                StringBuilder b = new StringBuilder(s.length() + 16);
                for (int j = 0; j < s.length(); j++) {
                    appendEscaped(b, s.charAt(j));
                }
                return b.toString();
            }
        }
        return s;
    }

    /** The first line of {@code s}, made safe and cut to {@code max}. */
    public static String oneLine(String s, int max) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return safe(nl >= 0 ? s.substring(0, nl) : s, max);
    }

    /**
     * One terminal line of at most {@link #MAX_ERROR_LINE} characters: {@code prefix} and {@code message} with every
     * control character escaped; a longer message keeps its beginning (what failed, the file) and its end (the
     * reason) around an ellipsis.
     */
    public static String errorLine(String prefix, String message) {
        String p = escape(prefix);
        String m = escape(message == null ? "" : message);
        int room = MAX_ERROR_LINE - p.length();
        if (m.length() <= room) {
            return p + m;
        }
        int tail = Math.max(0, (room - ELLIPSIS.length()) * 2 / 5);
        int head = Math.max(0, room - ELLIPSIS.length() - tail);
        return p + m.substring(0, cut(m, head, false)) + ELLIPSIS + m.substring(cut(m, m.length() - tail, true));
    }

    /** {@code at}, moved off an escape sequence or a surrogate pair it would split (forward or back). */
    private static int cut(String s, int at, boolean forward) {
        int i = Math.max(0, Math.min(at, s.length()));
        for (int k = Math.max(0, i - 5); k < i; k++) {
            if (s.charAt(k) == '\\' && (s.startsWith("x", k + 1) || s.startsWith("u", k + 1))) {
                int end = k + (s.charAt(k + 1) == 'x' ? 4 : 6);
                if (end > i) {
                    i = forward ? Math.min(end, s.length()) : k;
                    break;
                }
            }
        }
        if (i > 0 && i < s.length() && Character.isLowSurrogate(s.charAt(i))) {
            i += forward ? 1 : -1;
        }
        return i;
    }

    private static boolean isControl(char c) {
        return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029;
    }

    private static void appendEscaped(StringBuilder b, char c) {
        if (!isControl(c)) {
            b.append(c);
        } else if (c > 0xff) {
            b.append(String.format("\\u%04x", (int) c));
        } else {
            b.append(String.format("\\x%02x", (int) c));
        }
    }
}
