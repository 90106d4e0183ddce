package dev.regshim.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BiFunction;

/** Scripted peers over loopback TCP that stand in for QEMU where a test needs exact control of the bytes. */
final class FakePeers {

    private FakePeers() {
    }

    /**
     * A destination: accepts connections one after another and reads each until EOF (or reset). After each read
     * {@code reply} may answer (bytes to send back, or null) given what arrived so far on that connection; with
     * {@code closeAfterReply} it then hangs up.
     */
    static final class Destination implements AutoCloseable {
        final ServerSocketChannel server;
        /** What the first connection received. */
        final CompletableFuture<byte[]> received = new CompletableFuture<>();
        /** What each connection received, in order. */
        final BlockingQueue<byte[]> connections = new LinkedBlockingQueue<>();
        volatile boolean reset;
        private final BiFunction<byte[], Integer, byte[]> reply;
        private final boolean closeAfterReply;

        Destination(BiFunction<byte[], Integer, byte[]> reply, boolean closeAfterReply) throws IOException {
            this.server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            this.reply = reply;
            this.closeAfterReply = closeAfterReply;
            Thread t = new Thread(this::serve, "fake-destination");
            t.setDaemon(true);
            t.start();
        }

        /** Reads everything and never answers. */
        static Destination sink() throws IOException {
            return new Destination((b, n) -> null, false);
        }

        int port() throws IOException {
            return ((InetSocketAddress) server.getLocalAddress()).getPort();
        }

        private void serve() {
            while (server.isOpen()) {
                SocketChannel c;
                try {
                    c = server.accept();
                } catch (IOException e) {
                    return;
                }
                byte[] got = serve(c);
                received.complete(got);
                connections.add(got);
            }
        }

        private byte[] serve(SocketChannel channel) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            try (SocketChannel c = channel) {
                ByteBuffer buf = ByteBuffer.allocate(1 << 16);
                while (true) {
                    buf.clear();
                    int n = c.read(buf);
                    if (n < 0) {
                        break;
                    }
                    all.write(buf.array(), 0, n);
                    byte[] answer = reply.apply(all.toByteArray(), n);
                    if (answer != null) {
                        ByteBuffer a = ByteBuffer.wrap(answer);
                        while (a.hasRemaining()) {
                            c.write(a);
                        }
                        if (closeAfterReply) {
                            break;
                        }
                    }
                }
            } catch (IOException e) {
                reset = true;
            }
            return all.toByteArray();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** A source: writes {@code stream} in random chunks (1..maxChunk bytes), then reads the return path until EOF. */
    static final class Source {
        final CompletableFuture<byte[]> returned = new CompletableFuture<>();
        volatile IOException failure;

        Source(int port, byte[] stream, int maxChunk, long seed, boolean waitForReturnPath) {
            Thread t = new Thread(() -> run(port, stream, maxChunk, seed, waitForReturnPath), "fake-source");
            t.setDaemon(true);
            t.start();
        }

        private void run(int port, byte[] stream, int maxChunk, long seed, boolean waitForReturnPath) {
            ByteArrayOutputStream back = new ByteArrayOutputStream();
            try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                Random r = new Random(seed);
                int p = 0;
                while (p < stream.length) {
                    int n = Math.min(stream.length - p, 1 + r.nextInt(maxChunk));
                    ByteBuffer b = ByteBuffer.wrap(stream, p, n);
                    while (b.hasRemaining()) {
                        c.write(b);
                    }
                    p += n;
                }
                if (waitForReturnPath) {
                    ByteBuffer buf = ByteBuffer.allocate(4096);
                    while (c.read(buf.clear()) >= 0) {
                        back.write(buf.array(), 0, buf.position());
                    }
                }
            } catch (IOException e) {
                failure = e;
            }
            returned.complete(back.toByteArray());
        }
    }
}
