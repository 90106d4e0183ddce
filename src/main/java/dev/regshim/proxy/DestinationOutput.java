package dev.regshim.proxy;

import java.io.IOException;
import java.io.OutputStream;
import dev.regshim.stream.ByteBufferSink;

import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * The destination's connection as the transformer writes it. Every byte goes through the {@link OutputAudit} first;
 * RAM goes out at once, while everything after the RAM END section (device state, EOF, trailer) is held in memory
 * (bounded) until the audit has verified it, so a destination never receives a cpu section that failed a check, nor
 * the EOF that would let it finish loading.
 */
final class DestinationOutput extends OutputStream implements ByteBufferSink {

    /**
     * Socket writes go through one direct buffer (no per-write temporary buffers in the JDK), written when full or
     * at each flush: one write per input chunk instead of one per 64 KiB.
     */
    private static final int DIRECT_BYTES = 1 << 20;

    private final WritableByteChannel channel;
    private final OutputAudit audit;
    private final Activity activity;
    private final BooleanSupplier aborted;
    private final int maxHeld;
    private final ByteBuffer direct = ByteBuffer.allocateDirect(DIRECT_BYTES);
    private final Runnable onRelease;

    private byte[] held = new byte[0];
    private int heldLen;
    private boolean holding;
    private volatile boolean released;
    private volatile boolean failed;
    private volatile long offset;
    private volatile long sent;

    /**
     * @param maxHeld   bound on the held device state (the decoder's own bounds keep it far below this)
     * @param onRelease called just before the verified tail is sent (the destination may then finish loading)
     */
    DestinationOutput(WritableByteChannel channel, OutputAudit audit, Activity activity, BooleanSupplier aborted, int maxHeld,
                      Runnable onRelease) {
        this.channel = channel;
        this.audit = audit;
        this.activity = activity;
        this.aborted = aborted;
        this.maxHeld = maxHeld;
        this.onRelease = onRelease;
    }

    @Override
    public void write(int b) {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        long start = offset;
        audit.feed(b, off, len);
        offset += len;
        if (holding) {
            hold(b, off, len);
        } else {
            int now = released ? len : (int) Math.min(len, Math.max(0, audit.holdFrom() - start));
            send(b, off, now);
            if (now < len) {
                holding = true;
                hold(b, off + now, len - now);
            }
        }
        if (!released && audit.complete()) {
            release();
        }
    }

    /**
     * RAM page data straight from the input buffer: audited and appended to the socket buffer without a heap copy.
     * Anything at or past the hold point takes the copying path, which knows how to hold.
     */
    @Override
    public void write(ByteBuffer data) {
        int len = data.remaining();
        if (holding || (!released && offset + len > audit.holdFrom())) {
            byte[] copy = new byte[len];
            data.get(copy);
            write(copy, 0, len);
            return;
        }
        audit.feed(data.duplicate());
        offset += len;
        while (data.hasRemaining()) {
            int n = Math.min(data.remaining(), direct.remaining());
            direct.put(direct.position(), data, data.position(), n);
            direct.position(direct.position() + n);
            data.position(data.position() + n);
            if (!direct.hasRemaining()) {
                drain();
            }
        }
        if (!released && audit.complete()) {
            release();
        }
    }

    /** End of the stream: lets the audit see the end (a stream without trailer) and sends what it held. */
    void finish() {
        audit.finish();
        if (!released) {
            release();
        }
        flush();
    }

    private void release() {
        holding = false;
        released = true;
        onRelease.run();
        send(held, 0, heldLen);
        held = new byte[0];
        heldLen = 0;
    }

    private void hold(byte[] b, int off, int len) {
        int need = heldLen + len;
        if (need > maxHeld || need < 0) {
            throw new ProxyException(Fault.SOURCE, "the device state after RAM exceeds " + maxHeld + " bytes before it "
                    + "could be verified");
        }
        if (need > held.length) {
            held = Arrays.copyOf(held, Math.max(need, Math.min(maxHeld, Math.max(64 << 10, held.length * 2))));
        }
        System.arraycopy(b, off, held, heldLen, len);
        heldLen = need;
    }

    /** Appends to the direct buffer, writing it to the destination whenever it fills. */
    private void send(byte[] b, int off, int len) {
        int done = 0;
        while (done < len) {
            int n = Math.min(len - done, direct.remaining());
            direct.put(b, off + done, n);
            done += n;
            if (!direct.hasRemaining()) {
                drain();
            }
        }
    }

    private void drain() {
        direct.flip();
        int n = direct.remaining();
        try {
            activity.writeStarted();
            Peers.writeFully(channel, direct);
            activity.writeDone();
            sent += n;
        } catch (IOException e) {
            if (aborted.getAsBoolean()) {
                throw new SessionAborted();
            }
            failed = true;
            throw gone("the destination connection failed (" + Peers.describe(e) + ")", sent, false);
        } finally {
            direct.clear();
        }
    }

    /** Writes what is buffered: the transformer flushes after every input chunk, so RAM is never held back. */
    @Override
    public void flush() {
        if (direct.position() > 0) {
            drain();
        }
    }

    /**
     * The destination went away: how much had been written to it (what it read of that the proxy cannot know: the
     * kernel's socket buffers hold megabytes), and whether that was the whole stream.
     */
    static ProxyException gone(String what, long sent, boolean hadWholeStream) {
        return new ProxyException(Fault.DESTINATION, what + " after " + sent + " bytes were written to it"
                + (hadWholeStream ? ", the whole stream: it failed to load it or went away" : ", before the stream "
                + "was complete: it rejected the stream, failed or was stopped"));
    }

    /** True once the verified tail has been handed to the output (it may still be on its way). */
    boolean released() {
        return released;
    }

    /** True once every byte produced, the tail included, has been written to the destination's socket. */
    boolean delivered() {
        return released && !failed && sent == offset;
    }

    /** Bytes that reached the destination's socket. */
    long sent() {
        return sent;
    }

    /** Bytes the transformer produced (sent or held). */
    long produced() {
        return offset;
    }
}
