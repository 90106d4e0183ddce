package dev.regshim.stream;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads a file through read-only memory-mapped windows of {@value #WINDOW_BYTES} bytes, one at a time, each unmapped
 * before the next is mapped, so that the process never holds more than one window of the file (its peak RSS stays
 * bounded whatever the file's size). A mapped read copies nothing: a decoder that looks only at record headers touches only
 * those bytes (and the pages they are on), never RAM page contents it is not asked for. This is how stream files are
 * read ({@link StreamReader}, {@link StreamTransformer}) and how the rewriter re-reads its output.
 *
 *
 * <p>Unmapping uses {@code sun.misc.Unsafe.invokeCleaner} (module jdk.unsupported, as Netty and Lucene do); where it
 * is not available windows are left to the garbage collector. A window must not be used after its consumer returns.
 * A file cut short while it is mapped makes the JVM raise an {@link InternalError} on the next access to what is
 * gone; that is reported as an {@link IOException}.
 */
public final class MappedWindows {

    public static final long WINDOW_BYTES = 16L << 20;

    /** Consumes one window; {@code window} is only valid during the call. */
    @FunctionalInterface
    public interface Consumer {
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
    public static void forEach(FileChannel ch, long from, long to, Consumer c) throws IOException {
        for (long at = from; at < to; at += WINDOW_BYTES) {
            with(ch, at, Math.min(WINDOW_BYTES, to - at), c);
        }
    }

    /** Maps {@code ch[at, at + length)} for the duration of {@code c} (length at most one window). */
    public static void with(FileChannel ch, long at, long length, Consumer c) throws IOException {
        MappedByteBuffer w = ch.map(FileChannel.MapMode.READ_ONLY, at, length);
        try {
            c.accept(w.duplicate(), at);
        } catch (InternalError e) {
            throw new IOException("the file changed while it was being read (" + e.getMessage() + ")", e);
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
