package dev.regshim.rewrite;

import dev.regshim.stream.MappedWindows;
import dev.regshim.stream.ReadOptions;
import dev.regshim.stream.StreamDecoder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a bare-stream rewrite by splicing: the input's bytes before the device state (header, configuration, RAM:
 * nearly all of the file) are copied by the kernel ({@link FileChannel#transferTo}, no copy through this process),
 * then the new device state, EOF and trailer are appended. The re-read decodes the whole output from the file
 * ({@link MappedWindows}) and compares its first bytes with the input's: the head always
 * ({@value #HEAD_COMPARE_BYTES} bytes at most), every byte before the device state with {@link Verification#BYTES},
 * at the cost of reading the input's RAM once more.
 * <p>
 * A {@link Splice} runs the copy and the re-read at once, and starts them before the plan is made: the bytes before
 * the device state do not depend on it, so the kernel copies them (in {@value #COPY_CHUNK_BYTES}-byte steps) while
 * the planner and the model run, and the re-read trails the copy on another thread, window by window, never mapping
 * what is not yet written. The planned tail is appended when {@link Splice#finish} hands it over; a refused plan
 * {@linkplain Splice#close() cancels} both. On two cores the decode and the planning then cost little more than the
 * copy itself.
 */
final class SpliceWriter {

    /** Bytes compared with the input at least: the header, configuration and RAM block list fit in far less. */
    static final int HEAD_COMPARE_BYTES = 64 << 10;

    /** Bytes the kernel copies between two reports of progress to the trailing re-read. */
    static final long COPY_CHUNK_BYTES = 8L << 20;

    private SpliceWriter() {
    }

    /**
     * How much of the output is written: the copy's position (which may run past the device state's start while
     * that is not yet known: those bytes are cut off when the tail is written), the prefix once known, and the final
     * size once the tail is written. The re-read maps only what this says is final.
     */
    private static final class Progress implements MappedWindows.Gate {
        private long written;
        private long prefix = -1;
        private long total = -1;
        private IOException failure;
        private boolean failed;

        synchronized void advance(long bytes) {
            written = bytes;
            notifyAll();
        }

        synchronized void prefix(long bytes) {
            prefix = bytes;
            notifyAll();
        }

        synchronized void total(long bytes) {
            total = bytes;
            notifyAll();
        }

        synchronized void fail(IOException e) {
            if (!failed) {
                failure = e;
                failed = true;
            }
            notifyAll();
        }

        synchronized boolean failed() {
            return failed;
        }

        @Override
        public synchronized boolean ready(long end) {
            return total >= 0 ? end <= total : prefix >= 0 && end <= prefix && written >= end;
        }

        @Override
        public synchronized void await(long end) throws IOException {
            while (!ready(end) && !failed) {
                waitHere();
            }
            if (!ready(end)) {
                throw new IOException("the output was not written in full", failure);
            }
        }

        synchronized long awaitTotal() throws IOException {
            while (total < 0 && !failed) {
                waitHere();
            }
            if (total < 0) {
                throw new IOException("the output was not written in full", failure);
            }
            return total;
        }

        private void waitHere() throws java.io.InterruptedIOException {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while re-reading the output");
            }
        }
    }

    /**
     * A splice under way: the input's bytes being copied into {@code tmp} on one thread from before the input is
     * even read ({@link #begin}), then, once the device state's start is known ({@link #attach}), re-read on another.
     * {@link #finish} writes the tail at the device state's start and returns the re-read; {@link #close} without
     * it stops both (the caller deletes {@code tmp}).
     */
    static final class Splice implements AutoCloseable {
        private final Path in;
        private final Path tmp;
        private final Progress progress = new Progress();
        private final java.util.concurrent.FutureTask<Void> copy;
        private final Thread copier;
        /** Where the copy stops: the file's size until the device state's start is known. */
        private volatile long limit;
        private long prefix = -1;
        private java.util.concurrent.FutureTask<OutputVerifier.Reread> reread;
        private Thread rereader;
        private boolean finished;

        private Splice(Path in, Path tmp, long size) {
            this.in = in;
            this.tmp = tmp;
            this.limit = size;
            this.copy = new java.util.concurrent.FutureTask<>(() -> {
                try {
                    copyPrefix();
                } catch (IOException | RuntimeException e) {
                    progress.fail(e instanceof IOException io ? io : new IOException(e));
                    throw e;
                }
                return null;
            });
            this.copier = daemon(copy, "regshim-copy");
        }

        private static Thread daemon(Runnable r, String name) {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.start();
            return t;
        }

        /** The device state starts at {@code input.deviceStart()}: the copy stops there and the re-read starts. */
        void attach(RewriteInput input, Verification v, ReadOptions options) {
            prefix = input.deviceStart();
            limit = prefix;
            progress.prefix(prefix);
            reread = new java.util.concurrent.FutureTask<>(() -> reread(in, tmp, input, v, options, progress));
            rereader = daemon(reread, "regshim-reread");
        }

        private void copyPrefix() throws IOException {
            try (FileChannel src = FileChannel.open(in, StandardOpenOption.READ);
                 FileChannel dst = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                long pos = 0;
                while (pos < limit && !progress.failed()) {
                    long n = src.transferTo(pos, Math.min(COPY_CHUNK_BYTES, limit - pos), dst);
                    if (n <= 0) {
                        throw new IOException(in + " ends at " + pos + ", before " + limit + " bytes were copied");
                    }
                    pos += n;
                    progress.advance(pos);
                }
            }
        }

        /** Writes {@code tail} (device state, EOF, trailer) at the device state's start; returns the re-read. */
        OutputVerifier.Reread finish(byte[] tail) throws IOException {
            finished = true;
            try {
                await(copy);
                try (FileChannel dst = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ByteBuffer b = ByteBuffer.wrap(tail);
                    long at = prefix;
                    while (b.hasRemaining()) {
                        at += dst.write(b, at);
                    }
                    dst.truncate(prefix + tail.length); // what the copy wrote past the device state's start
                }
                progress.total(prefix + tail.length);
            } catch (IOException | RuntimeException e) {
                progress.fail(e instanceof IOException io ? io : new IOException(e));
                joinQuietly(rereader);
                throw e;
            }
            return await(reread);
        }

        /** Stops a splice that was not finished (nothing to report: the caller refuses or already failed). */
        @Override
        public void close() {
            if (!finished) {
                progress.fail(new IOException("the rewrite was abandoned"));
            }
            joinQuietly(copier);
            joinQuietly(rereader);
        }

        private <T> T await(java.util.concurrent.FutureTask<T> task) throws IOException {
            try {
                return task.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while writing " + tmp);
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof IOException io) {
                    throw io;
                }
                if (c instanceof RuntimeException re) {
                    throw re;
                }
                throw new IOException(c);
            }
        }
    }

    /** Starts copying the regular file {@code in} into {@code tmp} (which exists); {@link Splice#attach} next. */
    static Splice begin(Path in, Path tmp) throws IOException {
        return new Splice(in, tmp, java.nio.file.Files.size(in));
    }

    private static void joinQuietly(Thread t) {
        if (t == null) {
            return;
        }
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Decodes the written file in full (through mapped windows: every record header is read, RAM page contents are
     * only looked at when compared), comparing its first bytes with the input's: the head, or with
     * {@link Verification#BYTES} every byte before the device state.
     */
    static OutputVerifier.Reread reread(Path in, Path tmp, RewriteInput input, Verification v, ReadOptions options)
            throws IOException {
        return reread(in, tmp, input, v, options, null);
    }

    /** @param progress the splice writing {@code tmp}, or null when it is written in full already */
    private static OutputVerifier.Reread reread(Path in, Path tmp, RewriteInput input, Verification v,
                                                ReadOptions options, Progress progress)
            throws IOException {
        MappedWindows.Gate gate = progress == null ? MappedWindows.Gate.OPEN : progress;
        long prefix = input.deviceStart();
        long compare = v == Verification.BYTES ? prefix : Math.min(prefix, HEAD_COMPARE_BYTES);
        RewriteInput.Collecting c = new RewriteInput.Collecting();
        StreamDecoder d = StreamDecoder.builder(c).limits(options.limits()).build();
        long[] compared = {0};
        String[] mismatch = {null};
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.READ);
             FileChannel original = FileChannel.open(in, StandardOpenOption.READ)) {
            MappedWindows.Consumer decode = (window, at) -> {
                long n = Math.min(window.remaining(), compare - at);
                if (n > 0 && mismatch[0] == null) {
                    mismatch[0] = compareWithInput(window, at, (int) n, original);
                    if (mismatch[0] == null) {
                        compared[0] += n;
                    }
                }
                long end = at + window.remaining();
                d.feed(window);
                if (options.progress() != null) { // the re-read trails the kernel's copy: it is the run's pace
                    options.progress().accept(end);
                }
            };
            if (progress == null) {
                MappedWindows.forEach(out, 0, out.size(), decode);
            } else {
                // the bytes before the device state are written first; the file's final size is known only once
                // the plan's tail is handed over
                MappedWindows.forEach(out, 0, prefix, gate, decode);
                MappedWindows.forEach(out, prefix, progress.awaitTotal(), gate, decode);
            }
            d.finish();
        }
        RewriteInput back = c.input(tmp, input.container());
        String how = compare == prefix
                ? String.format("compared byte for byte with the input's (%,d bytes)", compared[0])
                : String.format("copied from the input by the kernel; the first %,d bytes compared with the input's,"
                + " every RAM record decoded (--verify bytes compares all)", compared[0]);
        String problem = mismatch[0] != null ? mismatch[0]
                : compared[0] != compare ? "only " + compared[0] + " of " + compare + " bytes could be compared" : null;
        return new OutputVerifier.Reread(back, how, problem);
    }

    /** Compares {@code window[0, n)} (the output at {@code at}) with the input's bytes there; null when equal. */
    private static String compareWithInput(ByteBuffer window, long at, int n, FileChannel original)
            throws IOException {
        if (at + n > original.size()) {
            return "the input is shorter than " + (at + n) + " bytes";
        }
        String[] result = {null};
        MappedWindows.with(original, at, n, (expected, where) -> {
            ByteBuffer got = window.duplicate();
            got.limit(got.position() + n);
            int i = got.mismatch(expected);
            if (i >= 0) {
                result[0] = "byte " + (at + i) + " differs from the input's";
            }
        });
        return result[0];
    }
}
