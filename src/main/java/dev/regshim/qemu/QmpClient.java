package dev.regshim.qemu;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.regshim.release.QemuVersion;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A small client for the QEMU Machine Protocol over a unix socket.
 *
 * <p>Protocol: QEMU sends a greeting {@code {"QMP": {"version": ..., "capabilities": [...]}}}; the client answers
 * {@code {"execute": "qmp_capabilities"}} to leave negotiation mode. Each command is one JSON object; QEMU
 * answers each with {@code {"return": ...}} or {@code {"error": {"class": ..., "desc": ...}}}, echoing the
 * {@code "id"} member this client adds to correlate answers. Asynchronous {@code {"event": ...}} messages may
 * arrive at any time; they are buffered (at most {@value #MAX_BUFFERED_EVENTS}, oldest dropped) until a
 * {@link #waitForEvent} consumes them. Messages are newline-terminated JSON; one message longer than
 * {@value #MAX_MESSAGE_BYTES} bytes is a protocol error that closes the connection.
 *
 * <p>A daemon reader thread owns the receive side. Every call has a timeout; when QEMU goes away the pending and
 * later calls fail at once with a {@link QemuException} saying so.
 */
public final class QmpClient implements AutoCloseable {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    static final int MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
    static final int MAX_BUFFERED_EVENTS = 4096;
    private static final int READ_BUFFER_BYTES = 64 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SocketChannel channel;
    private final Path socket;
    private final Object lock = new Object();
    private final Map<Long, JsonNode> answers = new HashMap<>();
    private final Deque<QmpEvent> events = new ArrayDeque<>();
    private final Thread reader;
    private JsonNode greeting;
    private String closedBecause;
    private long nextId = 1;
    private long droppedEvents;

    private QmpClient(SocketChannel channel, Path socket) {
        this.channel = channel;
        this.socket = socket;
        this.reader = new Thread(this::readLoop, "qmp-reader " + socket.getFileName());
        this.reader.setDaemon(true);
    }

    /**
     * Connects to a QMP server socket, reads the greeting and negotiates capabilities.
     *
     * @throws QemuException when the socket refuses, QEMU says nothing within the timeout, or negotiation fails
     */
    public static QmpClient connect(Path socket, Duration timeout) {
        SocketChannel ch;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw new QemuException("cannot connect to QMP socket " + socket + ": " + e.getMessage(), e);
        }
        QmpClient c = new QmpClient(ch, socket);
        c.reader.start();
        try {
            c.awaitGreeting(timeout);
            c.execute("qmp_capabilities", timeout);
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** QEMU's greeting object (the value of its {@code "QMP"} member). */
    public JsonNode greeting() {
        synchronized (lock) {
            return greeting;
        }
    }

    /** The QEMU version the greeting announces, e.g. 7.2.22. */
    public QemuVersion version() {
        JsonNode q = greeting().path("version").path("qemu");
        return new QemuVersion(q.path("major").asInt(), q.path("minor").asInt(), q.path("micro").asInt(),
                "QEMU " + q.path("major").asInt() + "." + q.path("minor").asInt() + "." + q.path("micro").asInt());
    }

    public JsonNode execute(String command) {
        return execute(command, (JsonNode) null, DEFAULT_TIMEOUT);
    }

    public JsonNode execute(String command, Duration timeout) {
        return execute(command, (JsonNode) null, timeout);
    }

    public JsonNode execute(String command, Map<String, ?> arguments) {
        return execute(command, toNode(arguments), DEFAULT_TIMEOUT);
    }

    public JsonNode execute(String command, Map<String, ?> arguments, Duration timeout) {
        return execute(command, toNode(arguments), timeout);
    }

    private static JsonNode toNode(Map<String, ?> arguments) {
        return JSON.valueToTree(arguments);
    }

    /**
     * Runs one command and returns its {@code "return"} value.
     *
     * @param arguments the {@code "arguments"} object, or null for none
     * @throws QmpException when QEMU answers with an error object
     * @throws QemuException on timeout or when the connection is gone
     */
    public JsonNode execute(String command, JsonNode arguments, Duration timeout) {
        long id;
        synchronized (lock) {
            failIfClosed(command);
            id = nextId++;
        }
        ObjectNode request = JsonNodeFactory.instance.objectNode();
        request.put("execute", command);
        if (arguments != null) {
            request.set("arguments", arguments);
        }
        request.put("id", id);
        send(command, request);
        JsonNode answer = awaitAnswer(command, id, timeout);
        JsonNode error = answer.get("error");
        if (error != null) {
            throw new QmpException(command, error.path("class").asText("?"), error.path("desc").asText("?"));
        }
        JsonNode ret = answer.get("return");
        return ret != null ? ret : JsonNodeFactory.instance.objectNode();
    }

    /**
     * Waits for (and consumes) the first buffered or future event named {@code name} that satisfies {@code match}.
     *
     * @throws QemuException when none arrives within the timeout or the connection closes first
     */
    public QmpEvent waitForEvent(String name, Predicate<QmpEvent> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (true) {
                for (Iterator<QmpEvent> it = events.iterator(); it.hasNext(); ) {
                    QmpEvent e = it.next();
                    if (e.name().equals(name) && match.test(e)) {
                        it.remove();
                        return e;
                    }
                }
                if (closedBecause != null) {
                    throw new QemuException("QMP connection closed (" + closedBecause + ") while waiting for event "
                            + name);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new QemuException("no matching QMP event " + name + " within " + timeout.toMillis() + " ms");
                }
                waitNanos(left);
            }
        }
    }

    /** A copy of the events received and not yet consumed, oldest first. */
    public List<QmpEvent> events() {
        synchronized (lock) {
            return List.copyOf(new ArrayList<>(events));
        }
    }

    /** Forgets all buffered events (e.g. before starting an operation whose events one wants to wait for). */
    public void clearEvents() {
        synchronized (lock) {
            events.clear();
        }
    }

    /** How many events were dropped because nobody consumed them and the buffer was full. */
    public long droppedEvents() {
        synchronized (lock) {
            return droppedEvents;
        }
    }

    /** True until the connection was closed by either side. */
    public boolean isOpen() {
        synchronized (lock) {
            return closedBecause == null;
        }
    }

    @Override
    public void close() {
        markClosed("closed by client");
        try {
            channel.close();
        } catch (IOException e) {
            // Nothing to do: the socket is gone either way.
        }
    }

    private void awaitGreeting(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (greeting == null) {
                if (closedBecause != null) {
                    throw new QemuException("QMP connection to " + socket + " closed before the greeting ("
                            + closedBecause + ")");
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new QemuException("no QMP greeting on " + socket + " within " + timeout.toMillis() + " ms");
                }
                waitNanos(left);
            }
        }
    }

    private JsonNode awaitAnswer(String command, long id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (true) {
                JsonNode a = answers.remove(id);
                if (a != null) {
                    return a;
                }
                if (closedBecause != null) {
                    throw new QemuException("QMP connection closed (" + closedBecause + ") before QEMU answered '"
                            + command + "'");
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new QemuException("QMP command '" + command + "' got no answer within "
                            + timeout.toMillis() + " ms");
                }
                waitNanos(left);
            }
        }
    }

    private void send(String command, JsonNode request) {
        byte[] bytes;
        try {
            bytes = (JSON.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new QemuException("cannot encode QMP command '" + command + "': " + e.getOriginalMessage(), e);
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        synchronized (channel) {
            try {
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
            } catch (IOException e) {
                // The peer's death races the reader's EOF: report it the same way whichever side saw it first.
                markClosed("write failed: " + e.getMessage());
                String reason;
                synchronized (lock) {
                    reason = closedBecause;
                }
                throw new QemuException("QMP connection closed (" + reason + ") while sending '" + command + "'", e);
            }
        }
    }

    private void readLoop() {
        ByteBuffer in = ByteBuffer.allocate(READ_BUFFER_BYTES);
        MessageAssembler assembler = new MessageAssembler(MAX_MESSAGE_BYTES);
        try {
            while (true) {
                in.clear();
                int n = channel.read(in);
                if (n < 0) {
                    markClosed("QEMU closed the connection");
                    return;
                }
                in.flip();
                for (byte[] message : assembler.feed(in)) {
                    dispatch(message);
                }
            }
        } catch (IOException e) {
            markClosed(isOpen() ? "read failed: " + e.getMessage() : "closed by client");
        } catch (QemuException e) {
            markClosed(e.getMessage());
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing after a protocol error; nothing more to report
            }
        }
    }

    private void dispatch(byte[] message) {
        JsonNode node;
        try {
            node = JSON.readTree(message);
        } catch (IOException e) {
            throw new QemuException("QMP sent invalid JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            return;
        }
        synchronized (lock) {
            if (node.has("QMP")) {
                greeting = node.get("QMP");
            } else if (node.has("event")) {
                JsonNode ts = node.path("timestamp");
                long micros = ts.has("seconds") ? ts.path("seconds").asLong() * 1_000_000L
                        + ts.path("microseconds").asLong() : -1;
                JsonNode data = node.has("data") ? node.get("data") : JsonNodeFactory.instance.objectNode();
                events.addLast(new QmpEvent(node.get("event").asText(), data, micros));
                while (events.size() > MAX_BUFFERED_EVENTS) {
                    events.removeFirst();
                    droppedEvents++;
                }
            } else if (node.has("id") && (node.has("return") || node.has("error"))) {
                answers.put(node.get("id").asLong(), node);
            }
            lock.notifyAll();
        }
    }

    private void markClosed(String reason) {
        synchronized (lock) {
            if (closedBecause == null) {
                closedBecause = reason;
            }
            lock.notifyAll();
        }
    }

    private void failIfClosed(String command) {
        if (closedBecause != null) {
            throw new QemuException("cannot run QMP command '" + command + "': connection closed (" + closedBecause
                    + ")");
        }
    }

    private void waitNanos(long nanos) {
        try {
            lock.wait(Math.max(1, nanos / 1_000_000L), 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QemuException("interrupted while waiting for QMP on " + socket, e);
        }
    }

    /** Splits the byte stream into newline-terminated messages, refusing any longer than the limit. */
    static final class MessageAssembler {
        private final int maxBytes;
        private byte[] pending = new byte[1024];
        private int pendingLen;

        MessageAssembler(int maxBytes) {
            this.maxBytes = maxBytes;
        }

        List<byte[]> feed(ByteBuffer in) {
            List<byte[]> out = new ArrayList<>(1);
            while (in.hasRemaining()) {
                byte b = in.get();
                if (b == '\n') {
                    if (pendingLen > 0) {
                        byte[] m = new byte[pendingLen];
                        System.arraycopy(pending, 0, m, 0, pendingLen);
                        out.add(m);
                    }
                    pendingLen = 0;
                    continue;
                }
                if (pendingLen == maxBytes) {
                    throw new QemuException("QMP message longer than " + maxBytes + " bytes");
                }
                if (pendingLen == pending.length) {
                    byte[] bigger = new byte[Math.min(maxBytes, pending.length * 2)];
                    System.arraycopy(pending, 0, bigger, 0, pendingLen);
                    pending = bigger;
                }
                pending[pendingLen++] = b;
            }
            return out;
        }
    }
}
