package dev.regshim.proxy;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A multifd channel of a migration in progress, relayed untouched in both directions. Multifd channels (first four
 * bytes {@value #MULTIFD_MAGIC_HEX} instead of {@code QEVM}) carry only RAM pages; the device state, and with it every
 * {@code cpu} section, stays on the main channel, which the session rewrites and verifies as usual. A failure on an
 * extra channel fails the whole migration.
 */
final class ExtraChannel {

    /** {@code MULTIFD_MAGIC} of QEMU's multifd channels. */
    static final int MULTIFD_MAGIC = 0x1122_3344;
    static final String MULTIFD_MAGIC_HEX = "0x11223344";
    private static final int BUFFER_BYTES = 256 << 10;

    private final int session;
    private final int index;
    private final SocketChannel source;
    private final byte[] magic;
    private final ProxyOptions options;
    private final Activity activity;
    private final Consumer<ProxyException> abort;
    private final BooleanSupplier aborted;
    private final AtomicLong bytes = new AtomicLong();
    private volatile SocketChannel destination;
    private Thread up;
    private Thread down;

    ExtraChannel(int session, int index, SocketChannel source, byte[] magic, ProxyOptions options, Activity activity,
                 Consumer<ProxyException> abort, BooleanSupplier aborted) {
        this.session = session;
        this.index = index;
        this.source = source;
        this.magic = magic.clone();
        this.options = options;
        this.activity = activity;
        this.abort = abort;
        this.aborted = aborted;
    }

    void start() {
        up = new Thread(this::run, "regshim-proxy-" + session + "-multifd-" + index);
        up.setDaemon(true);
        up.start();
    }

    private void run() {
        try {
            SocketChannel d = SocketChannel.open();
            destination = d;
            d.socket().connect(options.target().resolve(), (int) Math.min(Integer.MAX_VALUE,
                    options.connectTimeout().toMillis()));
            Peers.setQuietly(d, StandardSocketOptions.TCP_NODELAY, true);
            Peers.writeFully(d, ByteBuffer.wrap(magic));
        } catch (IOException e) {
            if (!aborted.getAsBoolean()) {
                abort.accept(new ProxyException(Fault.DESTINATION, "cannot open multifd channel " + index
                        + " to the destination " + options.target() + ": " + Peers.describe(e)));
            }
            return;
        }
        down = new Thread(() -> pump(destination, source, false), "regshim-proxy-" + session + "-multifd-" + index
                + "-back");
        down.setDaemon(true);
        down.start();
        pump(source, destination, true);
    }

    private void pump(SocketChannel from, SocketChannel to, boolean fromSource) {
        ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES);
        try {
            while (true) {
                buf.clear();
                int n = from.read(buf);
                if (n < 0) {
                    break;
                }
                if (fromSource) {
                    activity.source();
                } else {
                    activity.destination();
                }
                bytes.addAndGet(n);
                buf.flip();
                Peers.writeFully(to, buf);
            }
            Peers.shutdownOutput(to);
        } catch (IOException e) {
            if (!aborted.getAsBoolean()) {
                abort.accept(new ProxyException(fromSource ? Fault.SOURCE : Fault.DESTINATION, "multifd channel "
                        + index + " failed (" + Peers.describe(e) + ")"));
            }
        }
    }

    long bytes() {
        return bytes.get();
    }

    /** Waits up to {@code nanos} for both directions to finish; resets the channel if they do not. */
    void join(long nanos) {
        long deadline = System.nanoTime() + nanos;
        joinThread(up, deadline);
        joinThread(down, deadline);
        if ((up != null && up.isAlive()) || (down != null && down.isAlive())) {
            reset();
        }
    }

    private static void joinThread(Thread t, long deadline) {
        if (t == null) {
            return;
        }
        try {
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void reset() {
        Peers.reset(source);
        Peers.reset(destination);
    }
}
