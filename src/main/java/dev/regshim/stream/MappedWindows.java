package dev.regshim.stream;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Reads a file through read-only memory-mapped windows of {@value #WINDOW_BYTES} bytes, one at a time, each unmapped
 * once consumed, so that the process never holds more than two windows of the file (its peak RSS stays bounded
 * whatever the file's size). A mapped read copies nothing: a decoder that looks only at record headers touches only
 * those bytes (and the pages they are on), never RAM page contents it is not asked for. This is how stream files are
 * read ({@link StreamReader}, {@link StreamTransformer}) and how the rewriter re-reads its output.
 *
 * <p>What a mapped read costs instead of copying is the kernel's work of mapping each page at its first touch, which
 * is about as much as copying it. {@link #forEach} has a background thread touch the next window's pages while the
 * current one is consumed, so that work runs beside the decoding instead of before it (with a core to spare; on one
 * core it is done once either way). For a file not yet in the page cache the touches read it ahead.
 *
 * <p>Unmapping uses {@code sun.misc.Unsafe.invokeCleaner} (module jdk.unsupported, as Netty and Lucene do); where it
 * is not available windows are left to the garbage collector. A window must not be used after its consumer returns.
 * A file cut short while it is mapped makes the JVM raise an {@link InternalError} on the next access to what is
 * gone; that is reported as an {@link IOException}.
 */
public final class MappedWindows {

    public static final long WINDOW_BYTES = 16L << 20;

    /** The smallest window over a file being written (short of its end). */
    private static final long TRAILING_MIN_BYTES = 256L << 10;

    /** Consumes one window; {@code window} is only valid during the call. */
    @FunctionalInterface
    public interface Consumer {
        void accept(ByteBuffer window, long offset) throws IOException;
    }

    /** One touch per 4 KiB, the smallest page size in use, maps every page of a window. */
    private static final int TOUCH_STRIDE = 4096;
    private static final boolean SPARE_CORE = Runtime.getRuntime().availableProcessors() > 1;

    /** Touches the pages of next windows; a daemon, so that it never keeps the JVM alive. */
    private static final ExecutorService LOADER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "regshim-mapped-loader");
        t.setDaemon(true);
        return t;
    });

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

    /** How far a file being written is: a window is mapped only once the file holds all of it. */
    public interface Gate {
        /** Waits until the file holds its bytes up to {@code end} (or throws when the writing failed). */
        void await(long end) throws IOException;

        /** How far the file holds its bytes now. */
        long readyEnd();
    }

    /** Calls {@code c} for consecutive windows covering {@code ch[from, to)}, the next one loaded meanwhile. */
    public static void forEach(FileChannel ch, long from, long to, Consumer c) throws IOException {
        if (from >= to) {
            return;
        }
        Window current = new Window(ch, from, Math.min(WINDOW_BYTES, to - from), false);
        Window next = null;
        try {
            while (current != null) {
                long nextAt = current.at + WINDOW_BYTES;
                next = nextAt < to ? new Window(ch, nextAt, Math.min(WINDOW_BYTES, to - nextAt), true) : null;
                current.consume(c);
                current.close();
                current = next;
                next = null;
            }
        } finally {
            if (current != null) {
                current.close();
            }
            if (next != null) {
                next.close();
            }
        }
    }

    /**
     * {@link #forEach(FileChannel, long, long, Consumer)} over a file still being written, as far as {@code gate} says
     * it is: maps whatever is written since the last window (up to {@value #WINDOW_BYTES} bytes; mapping past the end
     * of a file faults on access), waiting for at least a quarter of what is left (at least
     * {@value #TRAILING_MIN_BYTES} bytes), so that windows stay large while the writer is far ahead and shrink towards
     * the end: little is left to read once the writing ends. (Small windows all along cost more: each unmapping
     * interrupts the writer's core.) Nothing is loaded ahead: the writer has the other core.
     */
    public static void forEach(FileChannel ch, long from, long to, Gate gate, Consumer c) throws IOException {
        for (long at = from; at < to; ) {
            long want = Math.min(to, at + Math.min(WINDOW_BYTES, Math.max(TRAILING_MIN_BYTES, (to - at) / 4)));
            gate.await(want);
            long end = Math.min(to, Math.min(at + WINDOW_BYTES, Math.max(want, gate.readyEnd())));
            Window w = new Window(ch, at, end - at, false);
            try {
                w.consume(c);
            } finally {
                w.close();
            }
            at = end;
        }
    }

    /** Maps {@code ch[at, at + length)} for the duration of {@code c} (length at most one window). */
    public static void with(FileChannel ch, long at, long length, Consumer c) throws IOException {
        Window w = new Window(ch, at, length, false);
        try {
            w.consume(c);
        } finally {
            w.close();
        }
    }

    /** One mapped window; it is unmapped only after its loading has finished, never while a thread touches it. */
    private static final class Window {
        final long at;
        private final MappedByteBuffer buffer;
        private final Future<?> loading;
        /** Set once the consumer is done: touching what it has read is no use any more. */
        private volatile boolean consumed;
        private boolean closed;

        Window(FileChannel ch, long at, long length, boolean load) throws IOException {
            this.at = at;
            this.buffer = ch.map(FileChannel.MapMode.READ_ONLY, at, length);
            this.loading = load && SPARE_CORE ? LOADER.submit(this::touch) : null;
        }

        /** Reads a byte of every page until the window is consumed; the sum only keeps the reads from being dropped. */
        private long touch() {
            long sum = 0;
            for (int p = 0; p < buffer.limit() && !consumed; p += TOUCH_STRIDE) {
                sum += buffer.get(p);
            }
            return sum;
        }

        void consume(Consumer c) throws IOException {
            try {
                c.accept(buffer.duplicate(), at);
            } catch (InternalError e) {
                throw new IOException("the file changed while it was being read (" + e.getMessage() + ")", e);
            }
        }

        void close() {
            if (closed) {
                return;
            }
            closed = true;
            consumed = true;
            if (loading != null) {
                awaitUninterruptibly(loading);
            }
            unmap(buffer);
        }
    }

    private static void awaitUninterruptibly(Future<?> f) {
        boolean interrupted = false;
        while (true) {
            try {
                f.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException | CancellationException e) {
                break; // a load that failed (the file shrank): the consumer meets the same fault and reports it
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
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
