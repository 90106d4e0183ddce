package dev.regshim.proxy;

import dev.regshim.RegshimException;
import dev.regshim.policy.RewriteRefusedException;
import dev.regshim.stream.WireFormat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code regshim proxy}: a TCP endpoint an unpatched source QEMU migrates to ({@code migrate -d tcp:ADDR:PORT}); each
 * migration is relayed to the destination QEMU ({@code -incoming tcp:HOST:PORT}) with every vCPU's cpreg arrays
 * rewritten by the offline rewriter's rules, as a {@link MigrationSession}.
 *
 * <pre>{@code
 * try (MigrationProxy p = MigrationProxy.open(options, events)) {   // preflight, then bind
 *     List<SessionResult> r = p.run();                               // one migration (or, keepRunning, until close())
 * }
 * }</pre>
 *
 * <ul>
 *   <li>With a source profile, {@link Preflight} runs first; a refusal throws {@link RewriteRefusedException} from
 *       {@link #open} before the port is bound, so the source's {@code migrate} fails at connect.</li>
 *   <li>One migration at a time. While one runs, a new connection whose first four bytes are the multifd magic joins
 *       it as an {@link ExtraChannel}; any other connection is closed (the running migration is not affected).</li>
 *   <li>Without keepRunning the proxy stops accepting once the first migration has ended.</li>
 * </ul>
 */
public final class MigrationProxy implements AutoCloseable {

    /** How long a connection arriving during a migration may take to show its first four bytes. */
    private static final int PEEK_TIMEOUT_MS = 5_000;
    private static final long WATCHDOG_PERIOD_MS = 100;
    /** With keepRunning, the results of this many most recent migrations are kept for {@link #run}'s answer. */
    private static final int RETAINED_RESULTS = 64;

    private final ProxyOptions options;
    private final ProxyEvents events;
    private final ServerSocketChannel server;
    private final ScheduledExecutorService watchdog;
    private final Deque<SessionResult> results = new ArrayDeque<>();
    private volatile MigrationSession active;
    private volatile boolean closed;
    private int sessions;

    private MigrationProxy(ProxyOptions options, ProxyEvents events, ServerSocketChannel server) {
        this.options = options;
        this.events = events;
        this.server = server;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "regshim-proxy-watchdog");
            t.setDaemon(true);
            return t;
        });
        watchdog.scheduleAtFixedRate(this::checkIdle, WATCHDOG_PERIOD_MS, WATCHDOG_PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Runs the preflight (when a source profile is given) and binds the listening socket.
     *
     * @throws RewriteRefusedException when the preflight refuses (nothing is bound)
     * @throws RegshimException        when the address cannot be bound
     */
    public static MigrationProxy open(ProxyOptions options, ProxyEvents events) {
        if (options.sourceProfile() != null) {
            Preflight p = Preflight.run(options.sourceProfile(), options.rewrite());
            events.preflight(p);
            if (p.refused()) {
                throw new RewriteRefusedException("refused before the migration: " + p.refusal()
                        + "; nothing was accepted or forwarded");
            }
        }
        if (options.warmUp()) {
            Warmup.run(options.rewrite(), options);
        }
        ServerSocketChannel s = null;
        try {
            s = ServerSocketChannel.open();
            s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            s.bind(options.listen().resolve());
            MigrationProxy p = new MigrationProxy(options, events, s);
            events.listening(p.localAddress());
            return p;
        } catch (IOException e) {
            closeQuietly(s);
            throw new RegshimException("cannot listen on " + options.listen() + ": " + e.getMessage(), e);
        }
    }

    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) server.getLocalAddress();
        } catch (IOException e) {
            throw new RegshimException("the proxy's socket is closed", e);
        }
    }

    /**
     * Accepts and relays migrations: returns after the first one ends, or with keepRunning when {@link #close()} is
     * called (from another thread or a shutdown hook). Never throws for a failed migration: see each result.
     */
    public List<SessionResult> run() {
        List<Thread> running = new ArrayList<>();
        try {
            while (!closed) {
                SocketChannel c;
                try {
                    c = server.accept();
                } catch (ClosedChannelException e) {
                    break;
                } catch (IOException e) {
                    if (closed) {
                        break;
                    }
                    throw new RegshimException("accepting a connection failed: " + e.getMessage(), e);
                }
                MigrationSession a = active;
                if (a != null && !a.done()) {
                    Thread t = new Thread(() -> joinOrReject(c, a), "regshim-proxy-extra");
                    t.setDaemon(true);
                    t.start();
                    continue;
                }
                if (a != null && !options.keepRunning()) {
                    reject(c, Peers.remote(c), "the proxy serves one migration per run (see --keep-running)");
                    continue;
                }
                MigrationSession s = new MigrationSession(++sessions, c, options, events);
                active = s;
                s.connect();
                Thread t = new Thread(() -> runSession(s), "regshim-proxy-" + s.number());
                running.add(t);
                t.start();
            }
        } finally {
            for (Thread t : running) {
                join(t);
            }
        }
        synchronized (results) {
            return new ArrayList<>(results);
        }
    }

    private void runSession(MigrationSession s) {
        SessionResult r = s.run();
        synchronized (results) {
            results.addLast(r);
            while (results.size() > RETAINED_RESULTS) {
                results.removeFirst();
            }
        }
        if (!options.keepRunning()) {
            close();
        }
    }

    /** A connection during a migration: a multifd channel joins it; anything else is closed. */
    private void joinOrReject(SocketChannel c, MigrationSession s) {
        String who = Peers.remote(c);
        byte[] magic = new byte[Integer.BYTES];
        try {
            c.socket().setSoTimeout(PEEK_TIMEOUT_MS);
            InputStream in = c.socket().getInputStream();
            int have = 0;
            while (have < magic.length) {
                int n = in.read(magic, have, magic.length - have);
                if (n < 0) {
                    throw new IOException("closed before sending four bytes");
                }
                have += n;
            }
        } catch (SocketTimeoutException e) {
            reject(c, who, "sent nothing within " + PEEK_TIMEOUT_MS + " ms while migration " + s.number()
                    + " is in progress");
            return;
        } catch (IOException e) {
            reject(c, who, e.getMessage());
            return;
        }
        int m = ByteBuffer.wrap(magic).getInt();
        if (m == ExtraChannel.MULTIFD_MAGIC) {
            if (!s.attach(c, magic)) {
                reject(c, who, "a multifd channel arrived after migration " + s.number() + " ended");
            }
            return;
        }
        reject(c, who, m == WireFormat.MAGIC
                ? "another migration while migration " + s.number() + " is in progress (one at a time)"
                : String.format("not a migration channel (first bytes 0x%08x) while migration %d is in progress",
                m, s.number()));
    }

    private void reject(SocketChannel c, String who, String reason) {
        Peers.reset(c);
        events.rejected(who, reason);
    }

    private void checkIdle() {
        MigrationSession s = active;
        if (s != null && !s.done()) {
            s.checkIdle(System.nanoTime());
        }
    }

    /**
     * Stops accepting and aborts a migration in progress the safe way (both connections reset: the source's migration
     * fails and its VM keeps running), then waits up to {@code timeout} for it to end. For SIGINT/SIGTERM.
     */
    public void shutdown(java.time.Duration timeout) {
        close();
        MigrationSession s = active;
        if (s == null || s.done()) {
            return;
        }
        s.abort(new ProxyException(Fault.REFUSED, "the proxy was stopped during the migration"));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!s.done() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(WATCHDOG_PERIOD_MS / 10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops accepting; a migration in progress runs to its end (run() waits for it). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(server);
        watchdogShutdownWhenIdle();
    }

    private void watchdogShutdownWhenIdle() {
        Thread t = new Thread(() -> {
            MigrationSession s = active;
            while (s != null && !s.done()) {
                try {
                    Thread.sleep(WATCHDOG_PERIOD_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            watchdog.shutdownNow();
        }, "regshim-proxy-shutdown");
        t.setDaemon(true);
        t.start();
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(ServerSocketChannel s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing a listener cannot fail in a way that matters
            }
        }
    }
}
