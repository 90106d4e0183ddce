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
 * {@link #writeAndReread} runs the two at once: the kernel copies in {@value #COPY_CHUNK_BYTES}-byte steps and the
 * re-read trails it on another thread, window by window, never mapping what is not yet written. On two cores the
 * decode then costs little more than the copy itself.
 */
final class SpliceWriter {

    /** Bytes compared with the input at least: the header, configuration and RAM block list fit in far less. */
    static final int HEAD_COMPARE_BYTES = 64 << 10;

    /** Bytes the kernel copies between two reports of progress to the trailing re-read. */
    static final long COPY_CHUNK_BYTES = 32L << 20;

    private SpliceWriter() {
    }

    /** How much of the output is written; the re-read waits on it. */
    private static final class Progress implements MappedWindows.Gate {
        private long written;
        private IOException failure;
        private boolean failed;

        synchronized void advance(long bytes) {
            written = bytes;
            notifyAll();
        }

        synchronized void fail(IOException e) {
            failure = e;
            failed = true;
            notifyAll();
        }

        @Override
        public synchronized boolean ready(long end) {
            return written >= end;
        }

        @Override
        public synchronized void await(long end) throws IOException {
            while (written < end && !failed) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while re-reading the output");
                }
            }
            if (written < end) {
                throw new IOException("the output was not written in full", failure);
            }
        }
    }

    /**
     * {@link #write} and {@link #reread} overlapped: the copy runs here, the re-read on a second thread trailing it.
     * A failed copy stops the re-read; the copy's error is the one reported.
     */
    static OutputVerifier.Reread writeAndReread(Path in, Path tmp, ExpectedOutput exp, RewriteInput input,
                                               Verification v, ReadOptions options) throws IOException {
        Progress progress = new Progress();
        byte[] tail = exp.encodeTail();
        long total = exp.deviceStart() + tail.length;
        java.util.concurrent.FutureTask<OutputVerifier.Reread> reread = new java.util.concurrent.FutureTask<>(
                () -> reread(in, tmp, input, v, options, total, progress));
        Thread t = new Thread(reread, "regshim-reread");
        t.setDaemon(true);
        t.start();
        try {
            write(in, tmp, exp.deviceStart(), tail, progress);
        } catch (IOException | RuntimeException e) {
            progress.fail(e instanceof IOException io ? io : new IOException(e));
            joinQuietly(t);
            throw e;
        }
        try {
            return reread.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while re-reading " + tmp);
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

    private static void joinQuietly(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes {@code tmp}: the input's bytes before the device state, then the expected device state and trailer. */
    static void write(Path in, Path tmp, ExpectedOutput exp) throws IOException {
        write(in, tmp, exp.deviceStart(), exp.encodeTail(), new Progress());
    }

    private static void write(Path in, Path tmp, long prefix, byte[] tail, Progress progress) throws IOException {
        try (FileChannel src = FileChannel.open(in, StandardOpenOption.READ);
             FileChannel dst = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            long pos = 0;
            while (pos < prefix) {
                long n = src.transferTo(pos, Math.min(COPY_CHUNK_BYTES, prefix - pos), dst);
                if (n <= 0) {
                    throw new IOException(in + " ends at " + pos + ", before its device state at " + prefix);
                }
                pos += n;
                progress.advance(pos);
            }
            ByteBuffer b = ByteBuffer.wrap(tail);
            while (b.hasRemaining()) {
                dst.write(b);
            }
            progress.advance(prefix + tail.length);
        }
    }

    /**
     * Decodes the written file in full (through mapped windows: every record header is read, RAM page contents are
     * only looked at when compared), comparing its first bytes with the input's: the head, or with
     * {@link Verification#BYTES} every byte before the device state.
     */
    static OutputVerifier.Reread reread(Path in, Path tmp, RewriteInput input, Verification v, ReadOptions options)
            throws IOException {
        return reread(in, tmp, input, v, options, -1, MappedWindows.Gate.OPEN);
    }

    /** @param expectedSize the output's size once written, or -1 to take the file's size now */
    private static OutputVerifier.Reread reread(Path in, Path tmp, RewriteInput input, Verification v,
                                                ReadOptions options, long expectedSize, MappedWindows.Gate gate)
            throws IOException {
        long prefix = input.deviceStart();
        long compare = v == Verification.BYTES ? prefix : Math.min(prefix, HEAD_COMPARE_BYTES);
        RewriteInput.Collecting c = new RewriteInput.Collecting();
        StreamDecoder d = StreamDecoder.builder(c).limits(options.limits()).build();
        long[] compared = {0};
        String[] mismatch = {null};
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.READ);
             FileChannel original = FileChannel.open(in, StandardOpenOption.READ)) {
            long size = expectedSize >= 0 ? expectedSize : out.size();
            MappedWindows.forEach(out, 0, size, gate, (window, at) -> {
                long n = Math.min(window.remaining(), compare - at);
                if (n > 0 && mismatch[0] == null) {
                    mismatch[0] = compareWithInput(window, at, (int) n, original);
                    if (mismatch[0] == null) {
                        compared[0] += n;
                    }
                }
                d.feed(window);
            });
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
