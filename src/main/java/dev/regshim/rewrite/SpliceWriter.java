package dev.regshim.rewrite;

import dev.regshim.stream.MappedWindows;
import dev.regshim.stream.ReadOptions;
import dev.regshim.stream.StreamDecoder;
import dev.regshim.stream.StreamEnds;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Writes a bare-stream rewrite by splicing: the input's bytes before the device state (header, configuration, RAM:
 * nearly all of the file) are copied by the kernel ({@link FileChannel#transferTo}, no copy through this process),
 * and the new device state, EOF and trailer are written after them. The re-read decodes the whole output from the file
 * ({@link MappedWindows}) and compares its first bytes with the input's: the head always
 * ({@value #HEAD_COMPARE_BYTES} bytes at most), every byte before the device state with {@link Verification#BYTES},
 * at the cost of reading the input's RAM once more.
 * <p>
 * A {@link Splice} starts the copy before the plan is made: the bytes before the device state do not depend on it, so
 * the kernel copies them on a thread of their own while the input's ends are read and the planner and the model run.
 * {@link Splice#finish} then writes the planned tail at once when no step of the copy has reached or can reach it
 * (else after the copy, cutting off what it wrote past the device state's start), reads the output's
 * ends back and checks the device state, the trailer and the model's verdict on them while the copy goes on, and
 * decodes the RAM trailing the copy, on the caller's thread, never mapping what is not yet written. The copy's steps
 * ({@value #COPY_CHUNK_BYTES} bytes, shrinking to {@value #MIN_COPY_CHUNK_BYTES} near the end) and the re-read's
 * windows shrink towards the end, so that little is left to do once the kernel's copy is done. Two threads, not
 * more: on two cores a third would take turns with the copy. A refused plan {@linkplain Splice#close() cancels} the
 * copy.
 */
final class SpliceWriter {

    /** Bytes compared with the input at least: the header, configuration and RAM block list fit in far less. */
    static final int HEAD_COMPARE_BYTES = 64 << 10;

    /** Bytes the kernel copies between two reports of progress to the trailing re-read (at most). */
    static final long COPY_CHUNK_BYTES = 8L << 20;

    /** The smallest step, near the end. */
    static final long MIN_COPY_CHUNK_BYTES = 256L << 10;

    private SpliceWriter() {
    }

    /** Checks a re-read device state against the plan (throws when it differs); returns what it confirmed. */
    @FunctionalInterface
    interface DeviceStateCheck {
        List<String> check(RewriteInput written);
    }

    /**
     * How much of the output is written: the copy's position (which may run past the device state's start while
     * that is not yet known: those bytes are cut off when the tail is written), the prefix once known, and the final
     * size once the tail is written. The re-read maps only what this says is final. It also bounds the copy: each
     * step is claimed here, so that the tail's writer knows whether a step in flight could still reach the tail.
     */
    static final class Progress implements MappedWindows.Gate {
        private long written;
        private long limit;
        /** Where the step the copy is running (or ran last) ends. */
        private long claimedEnd;
        private long prefix = -1;
        private long total = -1;
        private IOException failure;
        private boolean failed;

        Progress(long limit) {
            this.limit = limit;
        }

        /** The end of the copy's next step from {@code pos}, or {@code pos} when it is done (or stopped). */
        synchronized long claim(long pos) {
            // steps shrink towards the end (half of what is left), so that the re-read trailing them has little
            // left to read when the copy is done
            long step = Math.min(COPY_CHUNK_BYTES, Math.max(MIN_COPY_CHUNK_BYTES, (limit - pos) / 2));
            // never below pos: a copy that ran past the device state's start before it was known has written there
            claimedEnd = failed ? pos : Math.max(pos, Math.min(limit, pos + step));
            return claimedEnd;
        }

        synchronized void advance(long bytes) {
            written = bytes;
            notifyAll();
        }

        /** The device state starts at {@code bytes}: the copy stops there. */
        synchronized void prefix(long bytes) {
            prefix = bytes;
            limit = bytes;
            notifyAll();
        }

        /** Whether no step of the copy has written or can write at or past the device state's start. */
        synchronized boolean copyStaysBefore(long bytes) {
            return limit <= bytes && claimedEnd <= bytes;
        }

        synchronized void total(long bytes) {
            total = bytes;
            notifyAll();
        }

        /** The output's final size (known once the tail is written, before the re-read starts). */
        synchronized long total() {
            return total;
        }

        synchronized void fail(IOException e) {
            if (!failed) {
                failure = e;
                failed = true;
            }
            notifyAll();
        }

        private boolean ready(long end) {
            return end <= readyEnd();
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

        @Override
        public synchronized long readyEnd() {
            if (prefix < 0) {
                return 0;
            }
            return total >= 0 && written >= prefix ? total : Math.min(written, prefix);
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
     * A splice under way: the input's bytes being copied into {@code tmp} on another thread from before the input is
     * even read ({@link #begin}); once the device state's start is known ({@link #attach}) the copy stops there.
     * {@link #finish} writes the tail at the device state's start and re-reads the output on the caller's thread,
     * trailing the copy; {@link #close} without it stops the copy (the caller deletes {@code tmp}).
     */
    static final class Splice implements AutoCloseable {
        private final Path in;
        private final Path tmp;
        private final Progress progress;
        private final java.util.concurrent.FutureTask<Void> copy;
        private final Thread copier;
        private RewriteInput input;
        private Verification verification;
        private ReadOptions options;
        private boolean finished;

        private final java.util.function.LongConsumer afterStep;

        private Splice(Path in, Path tmp, long size, java.util.function.LongConsumer afterStep) {
            this.in = in;
            this.tmp = tmp;
            this.progress = new Progress(size);
            this.afterStep = afterStep;
            this.copy = new java.util.concurrent.FutureTask<>(() -> {
                try {
                    copyPrefix();
                } catch (IOException | RuntimeException e) {
                    progress.fail(e instanceof IOException io ? io : new IOException(e));
                    throw e;
                }
                return null;
            });
            this.copier = new Thread(copy, "regshim-copy");
            copier.setDaemon(true);
            copier.start();
        }

        /** The device state starts at {@code input.deviceStart()}: the copy stops there. */
        void attach(RewriteInput input, Verification v, ReadOptions options) {
            this.input = input;
            this.verification = v;
            this.options = options;
            progress.prefix(input.deviceStart());
        }

        private void copyPrefix() throws IOException {
            try (FileChannel src = FileChannel.open(in, StandardOpenOption.READ);
                 FileChannel dst = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                long pos = 0;
                for (long end = progress.claim(pos); end > pos; end = progress.claim(pos)) {
                    long n = src.transferTo(pos, end - pos, dst);
                    if (n <= 0) {
                        throw new IOException(in + " ends at " + pos + ", before " + end + " bytes were copied");
                    }
                    pos += n;
                    progress.advance(pos);
                    afterStep.accept(pos);
                }
            }
        }

        /**
         * Writes {@code tail} (device state, EOF, trailer) at the device state's start (at once when no step of the
         * copy can reach it, else once the copy is done, cutting off what it wrote past the device state's start),
         * then re-reads the whole output on this thread as the copy goes on, and returns the re-read.
         */
        OutputVerifier.Reread finish(byte[] tail, DeviceStateCheck check) throws IOException {
            finished = true;
            long prefix = input.deviceStart();
            try {
                boolean early = progress.copyStaysBefore(prefix);
                if (!early) {
                    await(copy);
                }
                try (FileChannel dst = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ByteBuffer b = ByteBuffer.wrap(tail);
                    long at = prefix;
                    while (b.hasRemaining()) {
                        at += dst.write(b, at);
                    }
                    // cuts what the copy wrote past the tail's end, if anything: unconditionally, as the cut is
                    // safe in both cases (when early, no step of the copy reaches past the device state's start)
                    dst.truncate(prefix + tail.length);
                }
                progress.total(prefix + tail.length);
                OutputVerifier.Reread back = reread(in, tmp, input, verification, options, progress, check);
                await(copy);
                return back;
            } catch (IOException | RuntimeException e) {
                progress.fail(e instanceof IOException io ? io : new IOException(e));
                joinQuietly(copier);
                if (copy.isDone()) {
                    await(copy); // the copy's own failure, when it had one, is the news
                }
                throw e;
            }
        }

        /** Stops a splice that was not finished (nothing to report: the caller refuses or already failed). */
        @Override
        public void close() {
            if (!finished) {
                progress.fail(new IOException("the rewrite was abandoned"));
            }
            joinQuietly(copier);
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
        return begin(in, tmp, pos -> { });
    }

    /** {@link #begin(Path, Path)}, the copy's thread calling {@code afterStep} after each step (tests hold it there). */
    static Splice begin(Path in, Path tmp, java.util.function.LongConsumer afterStep) throws IOException {
        return new Splice(in, tmp, java.nio.file.Files.size(in), afterStep);
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
        return reread(in, tmp, input, v, options, null, null);
    }

    /**
     * {@link #reread} as a finished splice does it: the device state read back from the output's end and checked by
     * {@code check} first, then the RAM decoded up to the device state's start (tests run it over damaged files).
     * {@code end} is where the splice wrote the stream's end (like a splice, the re-read reads no further).
     */
    static OutputVerifier.Reread rereadWithEnds(Path in, Path tmp, RewriteInput input, Verification v,
                                                ReadOptions options, long end, DeviceStateCheck check)
            throws IOException {
        Progress done = new Progress(input.deviceStart());
        done.prefix(input.deviceStart());
        done.advance(input.deviceStart());
        done.total(end);
        return reread(in, tmp, input, v, options, done, check);
    }

    /**
     * @param progress the splice writing {@code tmp}, or null when it is written in full already
     * @param early    with {@code progress}: checks the device state, read back from the output's end while the copy
     *                 goes on (then the sequential decode stops at the device state's start, where the RAM must end)
     */
    private static OutputVerifier.Reread reread(Path in, Path tmp, RewriteInput input, Verification v,
                                                ReadOptions options, Progress progress, DeviceStateCheck early)
            throws IOException {
        long prefix = input.deviceStart();
        long compare = v == Verification.BYTES ? prefix : Math.min(prefix, HEAD_COMPARE_BYTES);
        RewriteInput.Collecting c = new RewriteInput.Collecting();
        StreamDecoder d = StreamDecoder.builder(c).limits(options.limits()).build();
        long[] compared = {0};
        String[] mismatch = {null};
        StreamEnds.Ends ends = null;
        List<String> deviceState = null;
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.READ);
             FileChannel original = FileChannel.open(in, StandardOpenOption.READ)) {
            if (progress != null && early != null && !options.ignoreVmdesc() && input.headEnd() > 0) {
                progress.await(Math.min(prefix, StreamEnds.headBytesRead(input.headEnd())));
                ends = StreamEnds.readWithDeviceStart(out, prefix, options.limits()).orElse(null);
                if (ends != null) {
                    deviceState = early.check(RewriteInput.ofEnds(tmp, ends));
                }
            }
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
                d.finish();
            } else if (ends == null) {
                MappedWindows.forEach(out, 0, prefix, progress, decode);
                MappedWindows.forEach(out, prefix, progress.total(), progress, decode);
                d.finish();
            } else {
                MappedWindows.forEach(out, 0, prefix, progress, decode);
                if (d.position() != prefix || c.lastFooterEnd() != prefix) {
                    throw OutputVerifier.failed(tmp, "the RAM does not end where the device state starts (" + prefix
                            + ")");
                }
                c.deviceState(ends); // read back and walked before: the rest of the stream, in order
                if (options.progress() != null) {
                    options.progress().accept(progress.total());
                }
            }
        }
        RewriteInput back = c.input(tmp, input.container());
        String how = compare == prefix
                ? String.format("compared byte for byte with the input's (%,d bytes)", compared[0])
                : String.format("copied from the input by the kernel; the first %,d bytes compared with the input's,"
                + " every RAM record decoded (--verify bytes compares all)", compared[0]);
        String problem = mismatch[0] != null ? mismatch[0]
                : compared[0] != compare ? "only " + compared[0] + " of " + compare + " bytes could be compared" : null;
        return new OutputVerifier.Reread(back, how, problem, deviceState);
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
