package dev.regshim.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The baseline for the proxy's benchmark: the least a user-space TCP relay can do. One connection, source bytes to
 * the destination and the destination's bytes (the return path) back, each through one direct buffer, no parsing.
 * Not a migration tool: it checks nothing and rewrites nothing, so it is only reachable as {@code bench relay}.
 */
public final class RawRelay {

    /** Same size as the proxy's socket buffer, so both make the same number of system calls. */
    private static final int BUFFER_BYTES = 1 << 20;

    /** Bytes each way, and the wall time from accepting the source to both sides closing. */
    public record Result(long forwarded, long returned, long nanos) {
    }

    private RawRelay() {
    }

    /**
     * Accepts one connection on {@code listen}, connects to {@code to}, relays until the source closes and the
     * destination has closed its side too.
     */
    public static Result relayOnce(HostPort listen, HostPort to, Consumer<String> log) throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(listen.resolve());
            log.accept("listening on " + ((InetSocketAddress) server.getLocalAddress()).getPort());
            try (SocketChannel source = server.accept(); SocketChannel destination = SocketChannel.open(to.resolve())) {
                long start = System.nanoTime();
                AtomicLong returned = new AtomicLong();
                Thread back = new Thread(() -> returned.set(copyQuietly(destination, source)), "relay-return");
                back.setDaemon(true);
                back.start();
                long forwarded = copy(source, destination);
                destination.shutdownOutput();
                try {
                    back.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new Result(forwarded, returned.get(), System.nanoTime() - start);
            }
        }
    }

    private static long copy(SocketChannel from, SocketChannel to) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES);
        long total = 0;
        while (from.read(buf) >= 0) {
            buf.flip();
            total += buf.remaining();
            while (buf.hasRemaining()) {
                to.write(buf);
            }
            buf.clear();
        }
        return total;
    }

    /** The return direction ends when either side goes away; that is not an error for a baseline. */
    private static long copyQuietly(SocketChannel from, SocketChannel to) {
        try {
            long n = copy(from, to);
            to.shutdownOutput();
            return n;
        } catch (IOException e) {
            return -1;
        }
    }
}
