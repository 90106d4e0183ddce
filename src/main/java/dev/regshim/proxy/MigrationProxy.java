package dev.regshim.proxy;

import dev.regshim.RegshimException;
import dev.regshim.policy.RewriteRefusedException;
import dev.regshim.stream.WireFormat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
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
import java.util.concurrent.atomic.AtomicInteger;

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
 *   <li>Nothing reaches the destination before a connection's first bytes prove a migration stream
 *       ({@link FirstBytes}): a port scan, a health check, garbage or a silent peer is logged and dropped and the
 *       proxy keeps waiting for the real migration.</li>
 *   <li>One migration at a time. While one runs, a new connection whose first four bytes are the multifd magic joins
 *       it as an {@link ExtraChannel}; any other connection is closed (the running migration is not affected).</li>
 *   <li>Without keepRunning the proxy stops accepting once the first migration has ended.</li>
 * </ul>
 */
public final class MigrationProxy implements AutoCloseable {

    /** Connections still to show their first bytes at once; more are refused at once (a flood is not a migration). */
    private static final int MAX_SORTING = 64;
    private static final long WATCHDOG_PERIOD_MS = 100;
    /** With keepRunning, the results of this many most recent migrations are kept for {@link #run}'s answer. */
    private static final int RETAINED_RESULTS = 64;

    private final ProxyOptions options;
    private final ProxyEvents events;
    private final ServerSocketChannel server;
    private final ScheduledExecutorService watchdog;
    private final Deque<SessionResult> results = new ArrayDeque<>();
    /** Guards starting a session (and the session threads run() waits for) against close(). */
    private final Object lock = new Object();
    private final Deque<Thread> running = new ArrayDeque<>();
    private final AtomicInteger sorting = new AtomicInteger();
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
     * Each connection is sorted by its first bytes on its own thread ({@link #sort}), so a silent stray connection
     * never delays the real migration behind it.
     */
    public List<SessionResult> run() {
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
                if (sorting.incrementAndGet() > MAX_SORTING) {
                    sorting.decrementAndGet();
                    reject(c, Peers.remote(c), "more than " + MAX_SORTING + " connections are still to show their "
                            + "first bytes");
                    continue;
                }
                Thread t = new Thread(() -> {
                    try {
                        sort(c);
                    } finally {
                        sorting.decrementAndGet();
                    }
                }, "regshim-proxy-first-bytes");
                t.setDaemon(true);
                t.start();
            }
        } finally {
            while (true) {
                Thread t;
                synchronized (lock) {
                    t = running.poll();
                }
                if (t == null) {
                    break;
                }
                join(t);
            }
        }
        synchronized (results) {
            return new ArrayList<>(results);
        }
    }

    /**
     * Reads a new connection's first bytes (within the idle timeout) and only then acts on it: a migration stream
     * becomes the session (connected to the destination now), a multifd channel joins the session, anything else is
     * logged and dropped without the destination ever seeing it.
     */
    private void sort(SocketChannel c) {
        String who = Peers.remote(c);
        FirstBytes first = FirstBytes.read(c, options.idleTimeout());
        switch (first.kind()) {
            case MAIN -> startSession(c, who, first.bytes());
            case MULTIFD -> joinSession(c, who, first.bytes());
            default -> reject(c, who, first.reason());
        }
    }

    private void startSession(SocketChannel c, String who, byte[] header) {
        synchronized (lock) {
            MigrationSession a = active;
            if (closed) {
                reject(c, who, "a migration stream arrived as the proxy was stopping");
                return;
            }
            if (a != null && !a.done()) {
                reject(c, who, "another migration while migration " + a.number() + " is in progress (one at a time)");
                return;
            }
            if (a != null && !options.keepRunning()) {
                reject(c, who, "the proxy serves one migration per run (see --keep-running)");
                return;
            }
            MigrationSession s = new MigrationSession(++sessions, c, header, options, events);
            active = s;
            s.connect(); // under the lock: the main channel reaches the destination before any multifd channel
            Thread t = new Thread(() -> runSession(s), "regshim-proxy-" + s.number());
            running.add(t);
            t.start();
            lock.notifyAll();
        }
    }

    /** A multifd channel joins the migration in progress, waiting (up to the idle timeout) for its main channel. */
    private void joinSession(SocketChannel c, String who, byte[] magic) {
        MigrationSession a;
        long deadline = System.nanoTime() + options.idleTimeout().toNanos();
        synchronized (lock) {
            while (((a = active) == null || a.done()) && !closed && deadline - System.nanoTime() > 0) {
                try {
                    lock.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (a == null || a.done()) {
            reject(c, who, "a multifd channel without a migration in progress");
        } else if (!a.attach(c, magic)) {
            reject(c, who, "a multifd channel arrived after migration " + a.number() + " ended");
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
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            lock.notifyAll();
        }
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
