package dev.regshim.proxy;

import dev.regshim.stream.WireFormat;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;

/**
 * What a new connection's first bytes prove, read before the proxy commits anything to it: a migration's main channel
 * ({@code QEVM} and the stream version), a multifd channel (its magic), or a stray connection (a port scan, a health
 * check, another protocol, a peer that closes or stays silent). Only a proven main channel makes the proxy connect to
 * the destination, so nothing else can use up the one migration the destination QEMU accepts.
 *
 * @param kind   what the connection is
 * @param bytes  the bytes read (to be replayed to the destination)
 * @param reason for a stray connection, why it was dropped
 */
record FirstBytes(Kind kind, byte[] bytes, String reason) {

    enum Kind { MAIN, MULTIFD, STRAY }

    /** Reads up to the stream header (8 bytes; 4 for multifd), all within {@code deadline}; never throws. */
    static FirstBytes read(SocketChannel c, Duration deadline) {
        Head h = new Head(c, System.nanoTime() + deadline.toNanos());
        try {
            if (!h.fill(Integer.BYTES)) {
                return h.stray(deadline);
            }
            int magic = ByteBuffer.wrap(h.bytes).getInt();
            if (magic == ExtraChannel.MULTIFD_MAGIC) {
                return new FirstBytes(Kind.MULTIFD, Arrays.copyOf(h.bytes, Integer.BYTES), null);
            }
            if (magic != WireFormat.MAGIC) {
                return new FirstBytes(Kind.STRAY, h.read(), String.format("not a migration stream (first bytes "
                        + "0x%08x)", magic));
            }
            if (!h.fill(h.bytes.length)) {
                return h.stray(deadline);
            }
        } catch (IOException e) {
            return new FirstBytes(Kind.STRAY, h.read(), "failed before proving a migration stream: "
                    + Peers.describe(e));
        }
        int version = ByteBuffer.wrap(h.bytes).getInt(Integer.BYTES);
        if (version != WireFormat.VERSION) {
            return new FirstBytes(Kind.STRAY, h.read(), "QEVM with stream version " + Integer.toUnsignedString(version)
                    + ", not " + WireFormat.VERSION + " (not a migration this proxy can carry)");
        }
        return new FirstBytes(Kind.MAIN, h.read(), null);
    }

    /** The header being read: how much arrived, and whether the peer closed or the deadline passed first. */
    private static final class Head {
        final SocketChannel channel;
        final long end;
        final byte[] bytes = new byte[2 * Integer.BYTES];
        int have;
        boolean closed;

        Head(SocketChannel channel, long end) {
            this.channel = channel;
            this.end = end;
        }

        byte[] read() {
            return Arrays.copyOf(bytes, have);
        }

        /** Reads until {@code to} bytes are in; false when the peer closed or the deadline passed first. */
        boolean fill(int to) throws IOException {
            InputStream in = channel.socket().getInputStream();
            while (have < to) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                channel.socket().setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
                int n;
                try {
                    n = in.read(bytes, have, to - have);
                } catch (SocketTimeoutException e) {
                    return false;
                }
                if (n < 0) {
                    closed = true;
                    return false;
                }
                have += n;
            }
            return true;
        }

        FirstBytes stray(Duration deadline) {
            String what = closed ? "closed after " + (have == 0 ? "sending nothing" : "only " + have + " bytes")
                    : "sent " + (have == 0 ? "nothing" : "only " + have + " bytes") + " within " + millis(deadline);
            return new FirstBytes(Kind.STRAY, read(), what + " (not a migration: a port scan or health check?)");
        }
    }

    private static String millis(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
