package dev.regshim.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import java.util.function.BooleanSupplier;

/**
 * The source's connection as the transformer reads it: counts bytes, notes activity for the watchdog, remembers
 * whether the source closed its side, and turns a read error into a {@link ProxyException} blaming the source (or,
 * when the session has already been aborted and the socket closed under the read, into {@link SessionAborted}).
 */
final class SourceInput implements ReadableByteChannel {

    private final SocketChannel channel;
    /** The first bytes, already read off the socket to prove a migration stream before the session began. */
    private final ByteBuffer prefix;
    private final Activity activity;
    private final BooleanSupplier aborted;
    private volatile long bytes;
    private volatile boolean eof;

    SourceInput(SocketChannel channel, byte[] prefix, Activity activity, BooleanSupplier aborted) {
        this.channel = channel;
        this.prefix = ByteBuffer.wrap(prefix.clone());
        this.activity = activity;
        this.aborted = aborted;
    }

    @Override
    public int read(ByteBuffer dst) {
        int replayed = 0;
        if (prefix.hasRemaining() && dst.hasRemaining()) {
            replayed = Math.min(prefix.remaining(), dst.remaining());
            ByteBuffer slice = prefix.slice();
            slice.limit(replayed);
            dst.put(slice);
            prefix.position(prefix.position() + replayed);
            bytes += replayed;
            activity.source();
            if (!dst.hasRemaining()) {
                return replayed;
            }
            // the replayed header goes out together with what follows it, as it would have without the replay
        }
        int n;
        try {
            n = channel.read(dst);
        } catch (IOException e) {
            if (aborted.getAsBoolean()) {
                throw new SessionAborted();
            }
            throw new ProxyException(Fault.SOURCE, "the source connection failed after " + bytes + " bytes: "
                    + Peers.describe(e), e);
        }
        if (n < 0) {
            eof = true;
            return replayed > 0 ? replayed : n;
        } else if (n > 0) {
            bytes += n;
            activity.source();
        }
        return replayed + n;
    }

    long bytes() {
        return bytes;
    }

    /** True once the source closed its side (end of input). */
    boolean eof() {
        return eof;
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() {
        // the session owns the socket
    }
}
