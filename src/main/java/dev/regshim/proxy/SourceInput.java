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
    private final Activity activity;
    private final BooleanSupplier aborted;
    private volatile long bytes;
    private volatile boolean eof;

    SourceInput(SocketChannel channel, Activity activity, BooleanSupplier aborted) {
        this.channel = channel;
        this.activity = activity;
        this.aborted = aborted;
    }

    @Override
    public int read(ByteBuffer dst) {
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
        } else if (n > 0) {
            bytes += n;
            activity.source();
        }
        return n;
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
