package dev.regshim.proxy;

import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;

/** Socket helpers shared by the session's relays. */
final class Peers {

    private Peers() {
    }

    /** Writes all of {@code b} (a blocking channel may take it in pieces). */
    static void writeFully(WritableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /**
     * Closes with an immediate reset (SO_LINGER 0): the peer's next read or write fails at once instead of after the
     * kernel drains what is queued, so a source QEMU notices the failure promptly and a destination never mistakes a
     * cut stream for a finished one.
     */
    static void reset(SocketChannel ch) {
        if (ch == null) {
            return;
        }
        try {
            if (ch.isOpen()) {
                setQuietly(ch, StandardSocketOptions.SO_LINGER, 0);
            }
            ch.close();
        } catch (IOException ignored) {
            // already gone: that is the goal
        }
    }

    static void closeQuietly(SocketChannel ch) {
        if (ch == null) {
            return;
        }
        try {
            ch.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    /** Half-closes the write side (FIN), ignoring a peer that is already gone. */
    static void shutdownOutput(SocketChannel ch) {
        try {
            if (ch.isOpen()) {
                ch.shutdownOutput();
            }
        } catch (IOException ignored) {
            // the peer closed first; nothing left to tell it
        }
    }

    static <T> void setQuietly(SocketChannel ch, SocketOption<T> option, T value) {
        try {
            ch.setOption(option, value);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort
        }
    }

    /** An I/O error as a short phrase ("Connection reset by peer", "closed"). */
    static String describe(IOException e) {
        if (e instanceof AsynchronousCloseException || e instanceof ClosedChannelException) {
            return "connection closed";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    static String remote(SocketChannel ch) {
        try {
            return String.valueOf(ch.getRemoteAddress()).replaceFirst("^/", "");
        } catch (IOException e) {
            return "?";
        }
    }
}
