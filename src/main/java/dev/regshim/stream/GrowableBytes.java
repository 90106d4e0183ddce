package dev.regshim.stream;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** An append-only byte buffer with a hard size limit, for the parts of a stream that must be held whole. */
final class GrowableBytes {

    private static final int INITIAL = 4096;

    private byte[] buf = new byte[0];
    private int len;
    private final int limit;

    GrowableBytes(int limit) {
        this.limit = limit;
    }

    int length() {
        return len;
    }

    byte[] array() {
        return buf;
    }

    int limit() {
        return limit;
    }

    /** Appends {@code n} bytes from {@code src}; returns false (appending nothing) if that would pass the limit. */
    boolean append(ByteBuffer src, int n) {
        if ((long) len + n > limit) {
            return false;
        }
        ensure(len + n);
        src.get(buf, len, n);
        len += n;
        return true;
    }

    private void ensure(int need) {
        if (need > buf.length) {
            int cap = Math.max(INITIAL, buf.length);
            while (cap < need) {
                cap = (int) Math.min(Integer.MAX_VALUE - 8, cap * 2L);
            }
            buf = Arrays.copyOf(buf, cap);
        }
    }

    void clear() {
        len = 0;
        buf = new byte[0];
    }
}
