package dev.regshim.proxy;

import dev.regshim.policy.Policy;
import dev.regshim.policy.RewriteOptions;
import dev.regshim.rewrite.StreamRewriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static dev.regshim.proxy.ProxyTesting.fixture;
import static dev.regshim.proxy.ProxyTesting.options;
import static dev.regshim.proxy.ProxyTesting.profile;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connections that are not a migration (port scans, health checks, other protocols, silent or early-closing peers)
 * never reach the destination and never use up the migration; the proxy binds any address it is given. Real sockets.
 */
class ProxyFirstBytesTest {

    private static final int SECONDS = 20;

    @TempDir
    Path tmp;

    private RewriteOptions toMax() {
        return options(profile(fixture(tmp, "gen-max")), Policy.STRICT);
    }

    private ProxyOptions on(HostPort listen, int destinationPort) {
        return ProxyOptions.of(listen, new HostPort("127.0.0.1", destinationPort), toMax()).withWarmUp(false)
                .withIdleTimeout(Duration.ofMillis(700));
    }

    private byte[] offline(RewriteOptions o) throws IOException {
        Path out = tmp.resolve("offline.mig");
        assertThat(StreamRewriter.rewrite(fixture(tmp, "gen-max_nopauth"), out, o).written()).isTrue();
        return Files.readAllBytes(out);
    }

    @Test
    void strayConnectionsAreDroppedAndTheRealMigrationStillGoesThrough() throws Exception {
        byte[] stream = Files.readAllBytes(fixture(tmp, "gen-max_nopauth"));
        try (FakePeers.Destination dst = FakePeers.Destination.sink();
             ProxyTesting.Running proxy = ProxyTesting.Running.start(on(ProxyTesting.ANY_LOOPBACK_PORT, dst.port()))) {
            InetSocketAddress at = new InetSocketAddress("127.0.0.1", proxy.port());
            try (SocketChannel scan = SocketChannel.open(at)) {
                scan.isConnected(); // a port scan: connect and hang up
            }
            send(at, "GET /health HTTP/1.0\r\n\r\n".getBytes());
            send(at, Arrays.copyOf(stream, 3));                                  // closes after 3 bytes of QEVM
            send(at, new byte[] {'Q', 'E', 'V', 'M', 0, 0, 0, 2, 1, 2, 3});    // an unsupported stream version
            SocketChannel silent = SocketChannel.open(at);                       // says nothing at all
            awaitRejections(proxy, 5);
            assertThat(proxy.events.lines).contains(
                    "rejected: closed after sending nothing (not a migration: a port scan or health check?)",
                    "rejected: not a migration stream (first bytes 0x47455420)",
                    "rejected: closed after only 3 bytes (not a migration: a port scan or health check?)",
                    "rejected: QEVM with stream version 2, not 3 (not a migration this proxy can carry)",
                    "rejected: sent nothing within 700 ms (not a migration: a port scan or health check?)");
            assertThat(closedByPeer(silent)).as("the silent one is closed").isTrue();
            assertThat(proxy.results).as("still waiting for the migration").isNotDone();
            assertThat(dst.connections).as("the destination has seen nothing").isEmpty();

            new FakePeers.Source(proxy.port(), stream, 1 << 16, 3, false);
            SessionResult r = proxy.single(SECONDS);
            assertThat(r.outcome()).as(r.reason()).isEqualTo(SessionResult.Outcome.FORWARDED);
            assertThat(dst.connections.poll(SECONDS, TimeUnit.SECONDS)).isEqualTo(offline(toMax()));
            assertThat(dst.connections).as("exactly one connection reached the destination").isEmpty();
        }
    }

    @Test
    void aSilentStrayDoesNotDelayTheMigrationBehindIt() throws Exception {
        byte[] stream = Files.readAllBytes(fixture(tmp, "gen-max_nopauth"));
        try (FakePeers.Destination dst = FakePeers.Destination.sink();
             ProxyTesting.Running proxy = ProxyTesting.Running.start(on(ProxyTesting.ANY_LOOPBACK_PORT, dst.port())
                     .withIdleTimeout(Duration.ofSeconds(10)));
             SocketChannel silent = SocketChannel.open(new InetSocketAddress("127.0.0.1", proxy.port()))) {
            long t0 = System.nanoTime();
            new FakePeers.Source(proxy.port(), stream, 1 << 16, 4, false);
            SessionResult r = proxy.single(SECONDS);
            assertThat(r.outcome()).as(r.reason()).isEqualTo(SessionResult.Outcome.FORWARDED);
            assertThat(System.nanoTime() - t0).as("not held up by the silent connection's 10 s")
                    .isLessThan(TimeUnit.SECONDS.toNanos(8));
            assertThat(silent.isOpen()).isTrue();
        }
    }

    @ParameterizedTest(name = "--listen {0}")
    @ValueSource(strings = {"0.0.0.0:0", "[::]:0", "[::1]:0", "localhost:0", "127.0.0.1:0"})
    void bindsAnyAddressItIsGiven(String listen) throws Exception {
        HostPort h = HostPort.parse(listen);
        byte[] stream = Files.readAllBytes(fixture(tmp, "gen-max_nopauth"));
        try (FakePeers.Destination dst = FakePeers.Destination.sink();
             ProxyTesting.Running proxy = ProxyTesting.Running.start(on(h, dst.port()))) {
            HostPort bound = HostPort.of(proxy.proxy.localAddress());
            assertThat(bound.port()).isPositive();
            assertThat(HostPort.parse(bound.toString())).as("what it prints parses back").isEqualTo(bound);
            InetAddress connectTo = switch (listen) {
                case "[::]:0", "[::1]:0" -> InetAddress.getByName("::1");
                default -> InetAddress.getByName("127.0.0.1");
            };
            try (SocketChannel c = SocketChannel.open(new InetSocketAddress(connectTo, bound.port()))) {
                ByteBuffer b = ByteBuffer.wrap(stream);
                while (b.hasRemaining()) {
                    c.write(b);
                }
                c.shutdownOutput();
                SessionResult r = proxy.single(SECONDS);
                assertThat(r.outcome()).as(r.reason()).isEqualTo(SessionResult.Outcome.FORWARDED);
            }
            assertThat(dst.received.get(SECONDS, TimeUnit.SECONDS)).isEqualTo(offline(toMax()));
        }
    }

    @Test
    void theWildcardAddressesPrintAsTheUserWritesThem() {
        assertThat(HostPort.of(new InetSocketAddress("0.0.0.0", 4445)).toString()).isEqualTo("0.0.0.0:4445");
        assertThat(HostPort.of(new InetSocketAddress("::", 4446)).toString()).isEqualTo("[::]:4446");
        assertThat(HostPort.of(new InetSocketAddress("::1", 4447)).toString()).isEqualTo("[::1]:4447");
    }

    @Test
    void aStalledSourceIsNoticedWithinFiveSecondsByDefault() throws Exception {
        assertThat(ProxyOptions.DEFAULT_IDLE_TIMEOUT).isEqualTo(Duration.ofSeconds(5));
        byte[] stream = Files.readAllBytes(fixture(tmp, "gen-max_nopauth"));
        try (FakePeers.Destination dst = FakePeers.Destination.sink();
             ProxyTesting.Running proxy = ProxyTesting.Running.start(ProxyOptions.of(ProxyTesting.ANY_LOOPBACK_PORT,
                     new HostPort("127.0.0.1", dst.port()), toMax()).withWarmUp(false));
             SocketChannel src = SocketChannel.open(new InetSocketAddress("127.0.0.1", proxy.port()))) {
            src.write(ByteBuffer.wrap(stream, 0, 4096));
            long t0 = System.nanoTime();
            SessionResult r = proxy.single(SECONDS);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(r.fault()).isEqualTo(Fault.SOURCE);
            assertThat(r.reason()).isEqualTo("no data from the source for 5 s after 4096 bytes");
            assertThat(ms).isBetween(4_500L, 6_500L);
        }
    }

    /** True when the peer closed or reset the connection. */
    private static boolean closedByPeer(SocketChannel c) throws IOException {
        try (c) {
            return c.read(ByteBuffer.allocate(1)) < 0;
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().contains("reset");
        }
    }

    private static void send(InetSocketAddress at, byte[] bytes) throws IOException {
        try (SocketChannel c = SocketChannel.open(at)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                c.write(b);
            }
        }
    }

    private static void awaitRejections(ProxyTesting.Running proxy, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        while (proxy.events.lines.stream().filter(l -> l.startsWith("rejected:")).count() < n
                && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }
}
