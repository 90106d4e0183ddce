package dev.regshim.proxy;

import dev.regshim.RegshimException;
import dev.regshim.policy.RewriteRefusedException;
import dev.regshim.policy.VcpuRewrite;
import dev.regshim.stream.ReadOptions;
import dev.regshim.stream.StreamFormatException;
import dev.regshim.stream.StreamTransformer;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One migration through the proxy: the source's connection, the destination's, and the three jobs between them.
 * <ul>
 *   <li><b>forward</b> (the session's own thread): source → {@link StreamTransformer} with the {@link LiveRewrite}
 *       handler → {@link DestinationOutput} (audited; device state held until verified) → destination;</li>
 *   <li><b>return path</b>: destination → {@link ReturnPathDecoder} → source, once the source has opened it; the
 *       destination's {@code SHUT} says whether it loaded the stream;</li>
 *   <li><b>watchdog</b> ({@link #checkIdle}, called by the proxy): a peer that makes no progress for the idle
 *       timeout while the session waits on it fails the migration.</li>
 * </ul>
 * Any failure, on either side or in the rewrite, is recorded once and resets both connections at once: the source's
 * migration fails (its VM keeps running there) and the destination never receives the EOF that would let it finish.
 * Extra (multifd) channels are relayed untouched by {@link ExtraChannel}s attached to the session.
 */
final class MigrationSession {

    private static final int RETURN_PATH_BUFFER = 4096;

    private enum Phase { CONNECTING, STREAMING, AWAITING_DESTINATION, DONE }

    private final int number;
    private final SocketChannel source;
    private final byte[] prefix;
    private final String sourceAddress;
    private final ProxyOptions options;
    private final ProxyEvents events;
    private final Activity activity = new Activity();
    private final AtomicReference<ProxyException> failure = new AtomicReference<>();
    private final long started = System.nanoTime();
    private final LiveRewrite rewrite;
    private final OutputAudit audit;
    private final List<ExtraChannel> extras = new CopyOnWriteArrayList<>();

    private volatile SocketChannel destination;
    private volatile SourceInput in;
    private volatile DestinationOutput out;
    private volatile Phase phase = Phase.CONNECTING;
    private volatile long phaseSince = System.nanoTime();
    private volatile ReturnPathMessage shut;
    private long lastProgressEvent = System.nanoTime();

    /** {@code prefix}: the stream's first bytes, read off {@code source} to prove it a migration stream. */
    MigrationSession(int number, SocketChannel source, byte[] prefix, ProxyOptions options, ProxyEvents events) {
        this.number = number;
        this.source = source;
        this.prefix = prefix.clone();
        this.sourceAddress = Peers.remote(source);
        this.options = options;
        this.events = events;
        this.rewrite = new LiveRewrite(options.rewrite(), this::planned);
        this.audit = new OutputAudit(rewrite, options.limits());
    }

    int number() {
        return number;
    }

    String sourceAddress() {
        return sourceAddress;
    }

    /**
     * Connects to the destination. Runs on the accepting thread, so the main channel reaches the destination before
     * any extra channel the source opens next (QEMU takes its first connection as the main channel).
     */
    void connect() {
        Peers.setQuietly(source, StandardSocketOptions.TCP_NODELAY, true);
        SocketChannel d = null;
        try {
            d = SocketChannel.open();
            d.socket().connect(options.target().resolve(), (int) Math.min(Integer.MAX_VALUE,
                    options.connectTimeout().toMillis()));
            Peers.setQuietly(d, StandardSocketOptions.TCP_NODELAY, true);
            destination = d;
        } catch (IOException | RegshimException e) {
            Peers.closeQuietly(d);
            String why = e instanceof IOException ? Peers.describe((IOException) e) : e.getMessage();
            abort(new ProxyException(Fault.DESTINATION, "cannot connect to the destination " + options.target() + ": "
                    + why));
        }
    }

    /** Runs the migration to its end; never throws. */
    SessionResult run() {
        Thread returnPath = null;
        try {
            if (!aborted()) {
                events.sessionStarted(number, sourceAddress, options.target().toString());
                phase(Phase.STREAMING);
                returnPath = new Thread(this::relayReturnPath, "regshim-proxy-" + number + "-return-path");
                returnPath.setDaemon(true);
                returnPath.start();
                forward();
            }
            if (!aborted()) {
                Peers.shutdownOutput(destination); // the source closed after a complete stream: so does the proxy
            }
            join(returnPath);
            awaitExtras();
        } finally {
            phase(Phase.DONE);
            Peers.closeQuietly(source);
            Peers.closeQuietly(destination);
            extras.forEach(ExtraChannel::reset);
        }
        SessionResult r = result();
        events.sessionEnded(r);
        return r;
    }

    // ------------------------------------------------------------------ forward

    private void forward() {
        in = new SourceInput(source, prefix, activity, this::aborted);
        out = new DestinationOutput(destination, audit, activity, this::aborted, options.maxHeldBytes(),
                this::releasingTail);
        ReadOptions ro = ReadOptions.defaults().withLimits(options.limits()).withProgress(this::progress);
        try {
            StreamTransformer.of(rewrite, ro).transform(in, out);
            out.finish();
        } catch (SessionAborted e) {
            // the recorded failure says why
        } catch (ProxyException e) {
            abort(e);
        } catch (RewriteRefusedException e) {
            abort(new ProxyException(Fault.REFUSED, e.getMessage(), e));
        } catch (StreamFormatException e) {
            abort(sourceStreamError(e));
        } catch (RegshimException e) {
            abort(new ProxyException(Fault.REFUSED, e.getMessage(), e));
        } catch (IOException | RuntimeException e) {
            if (!aborted()) {
                abort(new ProxyException(Fault.REFUSED, "internal error while relaying: " + e, e));
            }
        } catch (OutOfMemoryError e) {
            abort(new ProxyException(Fault.REFUSED, "out of memory while relaying (raise -Xmx in REGSHIM_JAVA_OPTS or "
                    + "lower --max-device-state)"));
        }
    }

    private ProxyException sourceStreamError(StreamFormatException e) {
        if (aborted()) {
            return failure.get();
        }
        if (in.eof()) {
            return new ProxyException(Fault.SOURCE, "the source closed the connection mid-stream after " + in.bytes()
                    + " bytes (" + e.getMessage() + ")", e);
        }
        String magic = e.offset() == 0 && e.foundMagic().equals(java.util.OptionalInt.of(ExtraChannel.MULTIFD_MAGIC))
                ? " (a multifd channel, but no migration is in progress to attach it to)" : "";
        return new ProxyException(Fault.SOURCE, "the source sent an invalid stream: " + e.getMessage() + magic, e);
    }

    private void releasingTail() {
        phase(Phase.AWAITING_DESTINATION);
    }

    private void planned(VcpuRewrite r) {
        events.vcpuPlanned(number, r);
    }

    private void progress(long bytesIn) {
        long now = System.nanoTime();
        if (now - lastProgressEvent >= options.progressInterval().toNanos()) {
            lastProgressEvent = now;
            events.progress(snapshot(now));
        }
    }

    Progress snapshot(long now) {
        return new Progress(number, in == null ? 0 : in.bytes(), out == null ? 0 : out.sent(), audit.dataPages(),
                audit.ramBytes(), extraBytes(), now - started);
    }

    // ------------------------------------------------------------------ return path

    private void relayReturnPath() {
        ReturnPathDecoder decoder = new ReturnPathDecoder();
        ByteBuffer buf = ByteBuffer.allocate(RETURN_PATH_BUFFER);
        boolean announced = false;
        try {
            while (true) {
                buf.clear();
                int n = destination.read(buf);
                if (n < 0) {
                    break;
                }
                if (n == 0) {
                    continue;
                }
                activity.destination();
                if (!audit.returnPathRequested()) {
                    throw new ProxyException(Fault.DESTINATION, "the destination sent " + n + " bytes although the "
                            + "source did not open the return path");
                }
                if (!announced) {
                    announced = true;
                    events.returnPathOpened(number);
                }
                buf.flip();
                decoder.feed(buf, this::relay);
            }
            destinationClosed(decoder);
        } catch (SessionAborted e) {
            // recorded
        } catch (ProxyException e) {
            abort(e);
        } catch (IOException e) {
            if (!aborted()) {
                abort(destinationGone("the destination connection failed (" + Peers.describe(e) + ")"));
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            abort(new ProxyException(Fault.REFUSED, "internal error on the return path: " + e, e));
        }
    }

    private void relay(ReturnPathMessage m) {
        if (m.isPostcopy()) {
            throw new ProxyException(Fault.REFUSED, "the destination sent a postcopy message (" + m.name()
                    + "); the proxy carries precopy migrations only");
        }
        if (shut != null) {
            throw new ProxyException(Fault.DESTINATION, "the destination sent " + m.name() + " after SHUT on the "
                    + "return path");
        }
        if (m.type() == ReturnPathMessage.SHUT) {
            shut = m;
        }
        events.returnPathMessage(number, m);
        try {
            Peers.writeFully(source, ByteBuffer.wrap(m.encode()));
        } catch (IOException e) {
            if (aborted()) {
                throw new SessionAborted();
            }
            throw new ProxyException(Fault.SOURCE, "the source connection failed while relaying the return path: "
                    + Peers.describe(e), e);
        }
    }

    private void destinationClosed(ReturnPathDecoder decoder) {
        if (aborted()) {
            return;
        }
        if (!decoder.atBoundary()) {
            throw new ProxyException(Fault.DESTINATION, "the destination closed the connection in the middle of a "
                    + "return-path message");
        }
        if (audit.returnPathRequested()) {
            if (shut == null) {
                throw destinationGone("the destination closed the connection without acknowledging the load");
            }
            if (shut.be32() != 0) {
                throw new ProxyException(Fault.DESTINATION, "the destination reported on the return path that loading "
                        + "the stream failed (SHUT " + shut.be32() + ")");
            }
            Peers.shutdownOutput(source); // after SHUT 0 the source's return path ends normally
        } else if (!awaitDelivered()) {
            throw destinationGone("the destination closed the connection");
        }
    }

    /**
     * Without a return path the destination closes after loading: that is normal once the whole stream was written
     * to its socket. The last write may still be returning on the forward thread, so wait for its outcome (bounded).
     */
    private boolean awaitDelivered() {
        DestinationOutput o = out;
        if (o == null || !o.released()) {
            return false;
        }
        long deadline = System.nanoTime() + options.idleTimeout().toNanos();
        while (!o.delivered() && !aborted() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return o.delivered() || aborted();
    }

    private ProxyException destinationGone(String what) {
        DestinationOutput o = out;
        return DestinationOutput.gone(what, o == null ? 0 : o.sent(), o != null && o.delivered());
    }

    // ------------------------------------------------------------------ extra channels

    /** Joins a multifd channel to this migration; false when the session is over. */
    boolean attach(SocketChannel extraSource, byte[] magic) {
        if (phase == Phase.DONE || aborted()) {
            return false;
        }
        ExtraChannel c = new ExtraChannel(number, extras.size() + 1, extraSource, magic, options, activity, this::abort,
                this::aborted);
        extras.add(c);
        events.extraChannel(number, Peers.remote(extraSource));
        c.start();
        return true;
    }

    private long extraBytes() {
        long n = 0;
        for (ExtraChannel c : extras) {
            n += c.bytes();
        }
        return n;
    }

    private void awaitExtras() {
        long deadline = System.nanoTime() + options.idleTimeout().toNanos();
        for (ExtraChannel c : extras) {
            c.join(Math.max(0, deadline - System.nanoTime()));
        }
    }

    // ------------------------------------------------------------------ failure and idleness

    boolean aborted() {
        return failure.get() != null;
    }

    boolean done() {
        return phase == Phase.DONE;
    }

    /** Records the first failure and resets every connection of the session (later failures are consequences). */
    void abort(ProxyException e) {
        if (!failure.compareAndSet(null, e)) {
            return;
        }
        Peers.reset(source);
        Peers.reset(destination);
        extras.forEach(ExtraChannel::reset);
    }

    /** Called periodically: fails the session when the peer it waits on has made no progress for the idle timeout. */
    void checkIdle(long now) {
        if (aborted()) {
            return;
        }
        long limit = options.idleTimeout().toNanos();
        String seconds = seconds(options.idleTimeout());
        switch (phase) {
            case STREAMING:
                if (activity.writeBlockedNanos(now) > limit) {
                    abort(new ProxyException(Fault.DESTINATION, "the destination has not taken any data for " + seconds
                            + " (it is stopped or stuck)"));
                } else if (activity.writeBlockedNanos(now) == 0 && activity.sourceIdleNanos(now) > limit) {
                    abort(new ProxyException(Fault.SOURCE, "no data from the source for " + seconds + " after "
                            + (in == null ? 0 : in.bytes()) + " bytes"));
                }
                break;
            case AWAITING_DESTINATION:
                if (now - phaseSince > limit && activity.destinationIdleNanos(now) > limit) {
                    abort(new ProxyException(Fault.DESTINATION, audit.returnPathRequested()
                            ? "the destination did not acknowledge the load within " + seconds
                            : "the destination did not close the connection within " + seconds
                            + " of receiving the whole stream"));
                }
                break;
            default:
                break;
        }
    }

    private void phase(Phase p) {
        phase = p;
        phaseSince = System.nanoTime();
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static void join(Thread t) {
        if (t == null) {
            return;
        }
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ result

    private SessionResult result() {
        ProxyException f = failure.get();
        SessionResult.Outcome outcome = f != null ? SessionResult.Outcome.FAILED
                : audit.returnPathRequested() ? SessionResult.Outcome.LOADED : SessionResult.Outcome.FORWARDED;
        String reason;
        if (f != null) {
            reason = f.getMessage();
        } else if (outcome == SessionResult.Outcome.LOADED) {
            reason = "the destination loaded the stream and acknowledged it on the return path (SHUT 0)";
        } else {
            reason = "the whole verified stream was delivered; the destination's result is not visible because the "
                    + "source did not enable the return-path capability";
        }
        ReturnPathMessage s = shut;
        long extraBytes = extraBytes();
        return new SessionResult(number, sourceAddress, outcome, f == null ? null : f.fault(), reason,
                audit.returnPathRequested(), s == null ? OptionalLong.empty() : OptionalLong.of(s.be32()),
                in == null ? 0 : in.bytes(), out == null ? 0 : out.sent(), audit.dataPages(), audit.zeroPages(),
                audit.ramBytes(), rewrite.plan().vcpus(), f == null ? audit.checks() : List.of(), extras.size(),
                extraBytes, Duration.ofNanos(System.nanoTime() - started));
    }
}
