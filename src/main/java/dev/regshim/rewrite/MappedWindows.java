package dev.regshim.rewrite;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads a file through read-only memory-mapped windows of {@value #WINDOW_BYTES} bytes, one at a time, each unmapped
 * before the next is mapped, so that the process never holds more than one window of the file (its peak RSS stays
 * bounded whatever the file's size). A mapped read copies nothing: a decoder that looks only at record headers
 * touches only those bytes, which is what makes re-reading a spliced output cheap.
 *
 * <p>Unmapping uses {@code sun.misc.Unsafe.invokeCleaner} (module jdk.unsupported, as Netty and Lucene do); where it
 * is not available windows are left to the garbage collector. A window must not be used after its consumer returns.
 */
final class MappedWindows {

    static final long WINDOW_BYTES = 16L << 20;

    /** Consumes one window; {@code window} is only valid during the call. */
    @FunctionalInterface
    interface Consumer {
        void accept(ByteBuffer window, long offset) throws IOException;
    }

    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        Object unsafe = null;
        Method cleaner = null;
        try {
            Class<?> c = Class.forName("sun.misc.Unsafe");
            Field f = c.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            unsafe = f.get(null);
            cleaner = c.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            unsafe = null;
            cleaner = null;
        }
        UNSAFE = unsafe;
        INVOKE_CLEANER = cleaner;
    }

    private MappedWindows() {
    }

    /** Calls {@code c} for consecutive windows covering {@code ch[from, to)}. */
    static void forEach(FileChannel ch, long from, long to, Consumer c) throws IOException {
        for (long at = from; at < to; at += WINDOW_BYTES) {
            MappedByteBuffer w = ch.map(FileChannel.MapMode.READ_ONLY, at, Math.min(WINDOW_BYTES, to - at));
            try {
                c.accept(w.duplicate(), at);
            } finally {
                unmap(w);
            }
        }
    }

    /** Maps {@code ch[at, at + length)} for the duration of {@code c} (length at most one window). */
    static void with(FileChannel ch, long at, long length, Consumer c) throws IOException {
        MappedByteBuffer w = ch.map(FileChannel.MapMode.READ_ONLY, at, length);
        try {
            c.accept(w.duplicate(), at);
        } finally {
            unmap(w);
        }
    }

    private static void unmap(MappedByteBuffer b) {
        if (INVOKE_CLEANER == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invoke(UNSAFE, b);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // left to the garbage collector
        }
    }
}
