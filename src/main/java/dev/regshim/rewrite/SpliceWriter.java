package dev.regshim.rewrite;

import dev.regshim.stream.ReadOptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a bare-stream rewrite by splicing: the input's bytes before the device state (header, configuration, RAM:
 * nearly all of the file) are copied by the kernel ({@link FileChannel#transferTo}, no copy through this process),
 * then the new device state, EOF and trailer are appended. The re-read decodes the whole output from the file and
 * compares its first bytes with the input's: the head always ({@value #HEAD_COMPARE_BYTES} bytes at most), every byte
 * before the device state with {@link Verification#BYTES}, at the cost of reading the input's RAM once more.
 */
final class SpliceWriter {

    /** Bytes compared with the input at least: the header, configuration and RAM block list fit in far less. */
    static final int HEAD_COMPARE_BYTES = 64 << 10;
    private static final int COMPARE_BUFFER = 1 << 20;

    private SpliceWriter() {
    }

    /** Writes {@code tmp}: the input's bytes before the device state, then the expected device state and trailer. */
    static void write(Path in, Path tmp, ExpectedOutput exp) throws IOException {
        long prefix = exp.deviceStart();
        byte[] tail = exp.encodeTail();
        try (FileChannel src = FileChannel.open(in, StandardOpenOption.READ);
             FileChannel dst = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            long pos = 0;
            while (pos < prefix) {
                long n = src.transferTo(pos, prefix - pos, dst);
                if (n <= 0) {
                    throw new IOException(in + " ends at " + pos + ", before its device state at " + prefix);
                }
                pos += n;
            }
            ByteBuffer b = ByteBuffer.wrap(tail);
            while (b.hasRemaining()) {
                dst.write(b);
            }
        }
    }

    /** Decodes the written file in full, comparing its first bytes with the input's on the way. */
    static OutputVerifier.Reread reread(Path in, Path tmp, RewriteInput input, Verification v, ReadOptions options)
            throws IOException {
        long prefix = input.deviceStart();
        long compare = v == Verification.BYTES ? prefix : Math.min(prefix, HEAD_COMPARE_BYTES);
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.READ);
             FileChannel original = FileChannel.open(in, StandardOpenOption.READ)) {
            Comparing cmp = new Comparing(out, original, compare);
            RewriteInput back = OutputVerifier.reread(cmp, tmp, input, options);
            String how = compare == prefix
                    ? String.format("compared byte for byte with the input's (%,d bytes)", cmp.compared)
                    : String.format("copied from the input by the kernel; the first %,d bytes compared with the "
                    + "input's, the rest decoded (--verify bytes compares all)", cmp.compared);
            return new OutputVerifier.Reread(back, how, cmp.mismatch != null ? cmp.mismatch
                    : cmp.compared != compare ? "only " + cmp.compared + " of " + compare + " bytes could be compared"
                    : null);
        }
    }

    /** Passes the output through and compares its first {@code limit} bytes with the input's. */
    private static final class Comparing implements ReadableByteChannel {
        private final ReadableByteChannel out;
        private final FileChannel original;
        private final long limit;
        private ByteBuffer expected = ByteBuffer.allocateDirect(COMPARE_BUFFER);
        private long position;
        private long compared;
        private String mismatch;

        Comparing(ReadableByteChannel out, FileChannel original, long limit) {
            this.out = out;
            this.original = original;
            this.limit = limit;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            int start = dst.position();
            int n = out.read(dst);
            if (n > 0 && position < limit && mismatch == null) {
                compare(dst, start, (int) Math.min(n, limit - position));
            }
            if (n > 0) {
                position += n;
            }
            return n;
        }

        private void compare(ByteBuffer dst, int start, int take) throws IOException {
            if (expected.capacity() < take) {
                expected = ByteBuffer.allocateDirect(take);
            }
            expected.clear().limit(take);
            while (expected.hasRemaining()) {
                if (original.read(expected, position + expected.position()) < 0) {
                    mismatch = "the input ends at " + (position + expected.position());
                    return;
                }
            }
            expected.flip();
            ByteBuffer got = dst.duplicate();
            got.position(start).limit(start + take);
            int at = got.mismatch(expected);
            if (at >= 0) {
                mismatch = "byte " + (position + at) + " differs from the input's";
            } else {
                compared += take;
            }
        }

        @Override
        public boolean isOpen() {
            return out.isOpen();
        }

        @Override
        public void close() {
            // the channels are closed by their owner
        }
    }
}
