package dev.regshim.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The process's standard output as an {@link OutputStream} that never hides a failed write: {@code System.out} (a
 * {@code PrintStream}) and a {@code PrintWriter} swallow errors, so a full disk or a reader that went away would look
 * like success. Every write here goes straight to file descriptor 1 (or, when a caller replaced {@code System.out},
 * to that stream, whose error flag is checked on every flush); the first failure is kept, rethrown to the writer, and
 * {@link Main} turns it into a non-zero exit.
 */
final class StandardStreams {

    private static final OutputStream FD_1 = new FileOutputStream(FileDescriptor.out);
    /** {@code System.out} when {@link Main#main} started: then descriptor 1 is ours to write directly. */
    private static volatile java.io.PrintStream processOut;
    private static final CheckedStream OUT = new CheckedStream();

    private StandardStreams() {
    }

    /** Called by the process entry point: standard output is the process's own descriptor 1. */
    static void ownDescriptor() {
        processOut = System.out;
    }

    /** Standard output; the same object for the whole process. */
    static CheckedStream out() {
        return OUT;
    }

    /** An output stream that remembers its first failure. */
    static final class CheckedStream extends OutputStream {
        private volatile IOException failure;

        /** Descriptor 1, unless the process's standard output was replaced (an embedding caller, a test). */
        private static OutputStream target() {
            return processOut != null && System.out == processOut ? FD_1 : System.out;
        }

        @Override
        public void write(int b) throws IOException {
            try {
                target().write(b);
            } catch (IOException e) {
                throw remember(e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            OutputStream t = target();
            try {
                t.write(b, off, len);
            } catch (IOException e) {
                throw remember(e);
            }
            if (t instanceof java.io.PrintStream ps && ps.checkError()) {
                throw remember(new IOException("write error"));
            }
        }

        @Override
        public void flush() throws IOException {
            OutputStream t = target();
            try {
                t.flush();
            } catch (IOException e) {
                throw remember(e);
            }
            if (t instanceof java.io.PrintStream ps && ps.checkError()) {
                throw remember(new IOException("write error"));
            }
        }

        @Override
        public void close() throws IOException {
            flush(); // standard output stays open: the JVM owns it
        }

        private IOException remember(IOException e) {
            if (failure == null) {
                failure = e;
            }
            return e;
        }

        /** The first write failure, or null. */
        IOException failure() {
            return failure;
        }

        /** Forgets a failure (tests run many commands in one process). */
        void reset() {
            failure = null;
        }
    }
}
