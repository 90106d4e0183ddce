package dev.regshim.proxy;

import dev.regshim.policy.Policy;
import dev.regshim.policy.RewriteOptions;
import dev.regshim.policy.RewriteRefusedException;
import dev.regshim.profile.Profile;
import dev.regshim.rewrite.StreamRewriter;
import dev.regshim.stream.VmCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
import static dev.regshim.proxy.ProxyTesting.proxyOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The proxy between scripted peers over loopback TCP (no QEMU): what reaches the destination byte for byte, what
 * the source gets back, and how every kind of failure ends the session. Real QEMU peers: {@link ProxyQemuTest}.
 */
class ProxyStreamTest {

    private static final int SECONDS = 20;

    @TempDir
    Path tmp;

    private RewriteOptions to(String destinationFixture) {
        return options(profile(fixture(tmp, destinationFixture)), Policy.STRICT);
    }

    private byte[] stream(String name) throws IOException {
        return Files.readAllBytes(fixture(tmp, name));
    }

    /** The offline rewriter's output for the same pair: what the proxy must send, byte for byte. */
    private byte[] offline(String source, RewriteOptions o) throws IOException {
        Path out = tmp.resolve(source + "-offline.mig");
        StreamRewriter.Result r = StreamRewriter.rewrite(fixture(tmp, source), out, o);
        assertThat(r.written()).as(String.valueOf(r.refusal())).isTrue();
        return Files.readAllBytes(out);
    }

    @ParameterizedTest(name = "source writes chunks of up to {0} bytes")
    @ValueSource(ints = {1 << 16, 4096, 97, 7})
    void sendsExactlyWhatTheOfflineRewriterWrites(int maxChunk) throws Exception {
        RewriteOptions o = to("gen-max");
        byte[] expected = offline("gen-max_nopauth", o);
        try (FakePeers.Destination dst = FakePeers.Destination.sink();
             ProxyTesting.Running proxy = ProxyTesting.Running.start(proxyOptions(dst.port(), o))) {
            new FakePeers.Source(proxy.port(), stream("gen-max_nopauth"), maxChunk, maxChunk, false);
            SessionResult r = proxy.single(SECONDS);
            assertThat(r.outcome()).as(r.reason()).isEqualTo(SessionResult.Outcome.FORWARDED);
            assertThat(r.exitCode()).isZero();
            byte[] got = dst.received.get(SECONDS, TimeUnit.SECONDS);
            assertThat(got).isEqualTo(expected);
            assertThat(r.bytesOut()).isEqualTo(expected.length);
            assertThat(r.bytesIn()).isEqualTo(stream("gen-max_nopauth").length);
            assertThat(r.registersChanged()).isEqualTo(11);
            assertThat(r.vcpus()).singleElement().satisfies(v -> {
                assertThat(v.before().length()).isEqualTo(294);
                assertThat(v.after().length()).isEqualTo(304);
            });
            assertThat(r.returnPath()).isFalse();
            assertThat(r.checks()).anyMatch(c -> c.contains("arrays exactly as planned"));
        }
    }

    @Test
    void relaysTheReturnPathAndReportsTheDestinationsAcknowledgement() throws Exception {
        RewriteOptions o = to("gen-max");
        byte[] in = StreamEdits.withCommandsAfterConfiguration(stream("gen-max_nopauth"),
                StreamEdits.returnPathCommands());
        byte[] expected = StreamEdits.withCommandsAfterConfiguration(offline("gen-max_nopauth", o),
                StreamEdits.returnPathCommands());
        byte[] answer = concat(new ReturnPathMessage(ReturnPathMessage.PONG, be32(1)).encode(),
                new ReturnPathMessage(ReturnPathMessage.SHUT, be32(0)).encode());
        try (FakePeers.Destination dst = new FakePeers.Destination(
                (all, n) -> all.length == expected.length ? answer : null, true);
             ProxyTesting.Running proxy = ProxyTesting.Running.start(proxyOptions(dst.port(), o))) {
            FakePeers.Source src = new FakePeers.Source(proxy.port(), in, 1 << 12, 7, true);
            SessionResult r = proxy.single(SECONDS);
            assertThat(r.outcome()).as(r.reason()).isEqualTo(SessionResult.Outcome.LOADED);
            assertThat(r.returnPath()).isTrue();
            assertThat(r.shutValue()).hasValue(0);
            assertThat(dst.received.get(SECONDS, TimeUnit.SECONDS)).isEqualTo(expected);
            assertThat(src.returned.get(SECONDS, TimeUnit.SECONDS)).isEqualTo(answer);
            assertThat(proxy.events.lines).contains("#1 return path opened", "#1 rp PONG 1", "#1 rp SHUT 0");
        }
    }

    @Test
    void aFailedLoadReportedOnTheReturnPathFailsTheMigration() throws Exception {
        RewriteOptions o = to("gen-max");
        byte[] in = StreamEdits.withCommandsAfterConfiguration(stream("gen-max_nopauth"),
                StreamEdits.returnPathCommands());
        int total = StreamEdits.withCommandsAfterConfiguration(offline("gen-max_nopauth", o),
                StreamEdits.returnPathCommands()).length;
        byte[] answer = new ReturnPathMessage(ReturnPathMessage.SHUT, be32(1)).encode();
        try (FakePeers.Destination dst = new FakePeers.Destination((all, n) -> all.length == total ? answer : null,
                true);
             ProxyTesting.Running proxy = ProxyTesting.Running.start(proxyOptions(dst.port(), o))) {
            FakePeers.Source src = new FakePeers.Source(proxy.port(), in, 1 << 16, 1, true);
            SessionResult r = proxy.single(SECONDS);
            assertThat(r.outcome()).isEqualTo(SessionResult.Outcome.FAILED);
            assertThat(r.fault()).isEqualTo(Fault.DESTINATION);
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.reason()).contains("loading the stream failed (SHUT 1)");
            assertThat(src.returned.get(SECONDS, TimeUnit.SECONDS)).as("SHUT 1 reaches the source").isEqualTo(answer);
        }
    }

    @Test
    void aRefusedVcpuNeverReachesTheDestinationNorDoesAnythingAfterRam() throws Exception {
        RewriteOptions o = to("gen-max_nopauth");
        byte[] in = stream("gen-max");
        long ramEnd = StreamEdits.ramEnd(in);
        try (FakePeers.Destination dst = FakePeers.Destination.sink();
             ProxyTesting.Running proxy = ProxyTesting.Running.start(proxyOptions(dst.port(), o))) {
            new FakePeers.Source(proxy.port(), in, 1 << 16, 3, false);
            SessionResult r = proxy.single(SECONDS);
            assertThat(r.outcome()).isEqualTo(SessionResult.Outcome.FAILED);
            assertThat(r.fault()).isEqualTo(Fault.REFUSED);
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.reason()).startsWith("cpu 0: refused: ").contains("would lose guest state");
            assertThat(r.vcpus()).singleElement().satisfies(v -> assertThat(v.refusals()).hasSize(11));
            byte[] got = dst.received.get(SECONDS, TimeUnit.SECONDS);
            assertThat((long) got.length).as("exactly the RAM reached the destination").isLessThanOrEqualTo(ramEnd);
            assertThat(got).isEqualTo(Arrays.copyOf(in, got.length));
        }
    }

    @Test
    void theOfflineRewritersRefusalIsTheProxysRefusal() throws Exception {
        RewriteOptions o = to("gen-a57");
        StreamRewriter.Result offline = StreamRewriter.rewrite(fixture(tmp, "gen-a72"), tmp.resolve("x.mig"), o);
        assertThat(offline.written()).isFalse();
        try (FakePeers.Destination dst = FakePeers.Destination.sink();
             ProxyTesting.Running proxy = ProxyTesting.Running.start(proxyOptions(dst.port(), o))) {
            new FakePeers.Source(proxy.port(), stream("gen-a72"), 1 << 16, 3, false);
            SessionResult r = proxy.single(SECONDS);
            assertThat(r.fault()).isEqualTo(Fault.REFUSED);
            assertThat(r.vcpus().get(0).refusals()).isEqualTo(offline.plan().vcpus().get(0).refusals());
        }
    }

    @Test
    void garbageFromTheSourceIsRefusedAtItsOffset() throws Exception {
        byte[] in = stream("gen-max_nopauth");
        int at = (int) StreamEdits.ramEnd(in) / 2;
        byte[] bad = in.clone();
        for (int i = at; i < at + 64; i++) {
            bad[i] = (byte) 0xa5;
        }
        try (FakePeers.Destination dst = FakePeers.Destination.sink();
             ProxyTesting.Running proxy = ProxyTesting.Running.start(proxyOptions(dst.port(), to("gen-max")))) {
            new FakePeers.Source(proxy.port(), bad, 1 << 16, 5, false);
            SessionResult r = proxy.single(SECONDS);
            assertThat(r.fault()).isEqualTo(Fault.SOURCE);
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.reason()).startsWith("the source sent an invalid stream: offset ");
            byte[] got = dst.received.get(SECONDS, TimeUnit.SECONDS);
            assertThat(got.length).isLessThanOrEqualTo(at + 64);
        }
    }

    @Test
    void notAMigrationStreamAtAllIsDroppedAndTheProxyKeepsWaiting() throws Exception {
        RewriteOptions o = to("gen-max");
        try (FakePeers.Destination dst = FakePeers.Destination.sink();
             ProxyTesting.Running proxy = ProxyTesting.Running.start(proxyOptions(dst.port(), o))) {
            new FakePeers.Source(proxy.port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(), 1 << 10, 1, false);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
            while (proxy.events.lines.stream().noneMatch(l -> l.startsWith("rejected:")) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(proxy.events.lines).contains("rejected: not a migration stream (first bytes 0x47455420)");
            assertThat(proxy.results).as("still waiting for the migration").isNotDone();
            new FakePeers.Source(proxy.port(), stream("gen-max_nopauth"), 1 << 16, 1, false);
            SessionResult r = proxy.single(SECONDS);
            assertThat(r.outcome()).as(r.reason()).isEqualTo(SessionResult.Outcome.FORWARDED);
            assertThat(dst.connections.poll(SECONDS, TimeUnit.SECONDS)).isEqualTo(offline("gen-max_nopauth", o));
            assertThat(dst.connections).as("the destination saw only the migration").isEmpty();
        }
    }

    @Test
    void aSourceThatStopsMidStream() throws Exception {
        byte[] in = stream("gen-max_nopauth");
        byte[] cut = Arrays.copyOf(in, in.length / 3);
        try (FakePeers.Destination dst = FakePeers.Destination.sink();
             ProxyTesting.Running proxy = ProxyTesting.Running.start(proxyOptions(dst.port(), to("gen-max")))) {
            new FakePeers.Source(proxy.port(), cut, 1 << 16, 5, false);
            SessionResult r = proxy.single(SECONDS);
            assertThat(r.fault()).isEqualTo(Fault.SOURCE);
            assertThat(r.reason()).startsWith("the source closed the connection mid-stream after " + cut.length
                    + " bytes").contains("truncated");
            assertThat(dst.reset || dst.received.get(SECONDS, TimeUnit.SECONDS).length <= cut.length).isTrue();
        }
    }

    @Test
    void anIdleSourceTimesOut() throws Exception {
        try (FakePeers.Destination dst = FakePeers.Destination.sink();
             ProxyTesting.Running proxy = ProxyTesting.Running.start(proxyOptions(dst.port(), to("gen-max"))
                     .withIdleTimeout(Duration.ofMillis(300)));
             SocketChannel src = SocketChannel.open(new InetSocketAddress("127.0.0.1", proxy.port()))) {
            src.write(ByteBuffer.wrap(Arrays.copyOf(stream("gen-max_nopauth"), 1000)));
            long t0 = System.nanoTime();
            SessionResult r = proxy.single(SECONDS);
            assertThat(r.fault()).isEqualTo(Fault.SOURCE);
            assertThat(r.reason()).isEqualTo("no data from the source for 300 ms after 1000 bytes");
            assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
            assertThat(src.read(ByteBuffer.allocate(16))).as("the source's connection is closed").isLessThanOrEqualTo(0);
        } catch (IOException e) {
            assertThat(e.getMessage()).containsIgnoringCase("reset"); // the proxy reset it: also closed
        }
    }

    @Test
    void aDestinationThatStopsReadingTimesOut() throws Exception {
        byte[] big = Warmup.stream(16 << 10); // 64 MiB of RAM: more than the sockets' buffers hold
        try (java.nio.channels.ServerSocketChannel dst = java.nio.channels.ServerSocketChannel.open()
                .bind(new InetSocketAddress("127.0.0.1", 0));
             ProxyTesting.Running proxy = ProxyTesting.Running.start(proxyOptions(
                     ((InetSocketAddress) dst.getLocalAddress()).getPort(), to("gen-max"))
                     .withIdleTimeout(Duration.ofMillis(500)))) {
            FakePeers.Source src = new FakePeers.Source(proxy.port(), big, 1 << 16, 1, false);
            try (SocketChannel accepted = dst.accept()) { // and never read
                SessionResult r = proxy.single(SECONDS);
                assertThat(r.fault()).isEqualTo(Fault.DESTINATION);
                assertThat(r.reason()).isEqualTo("the destination has not taken any data for 500 ms (it is stopped or "
                        + "stuck)");
                assertThat(r.bytesIn()).isLessThan(big.length);
                src.returned.get(SECONDS, TimeUnit.SECONDS);
                assertThat(src.failure).as("the source's writes fail: the proxy reset its connection").isNotNull();
            }
        }
    }

    @Test
    void stoppingTheProxyAbortsTheMigrationSafely() throws Exception {
        byte[] in = stream("gen-max_nopauth");
        try (FakePeers.Destination dst = FakePeers.Destination.sink();
             ProxyTesting.Running proxy = ProxyTesting.Running.start(proxyOptions(dst.port(), to("gen-max")));
             SocketChannel src = SocketChannel.open(new InetSocketAddress("127.0.0.1", proxy.port()))) {
            src.write(ByteBuffer.wrap(in, 0, in.length / 2));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
            while (!proxy.events.lines.contains("#1 started") && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            proxy.proxy.shutdown(Duration.ofSeconds(5));
            SessionResult r = proxy.single(SECONDS);
            assertThat(r.fault()).isEqualTo(Fault.REFUSED);
            assertThat(r.reason()).isEqualTo("the proxy was stopped during the migration");
            assertThat(dst.received.get(SECONDS, TimeUnit.SECONDS).length).isLessThanOrEqualTo(in.length / 2);
        }
    }

    @Test
    void anUnreachableDestinationClosesTheSource() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (ProxyTesting.Running proxy = ProxyTesting.Running.start(proxyOptions(closedPort, to("gen-max")))) {
            FakePeers.Source src = new FakePeers.Source(proxy.port(), stream("gen-max_nopauth"), 1 << 16, 1, true);
            SessionResult r = proxy.single(SECONDS);
            assertThat(r.fault()).isEqualTo(Fault.DESTINATION);
            assertThat(r.reason()).startsWith("cannot connect to the destination 127.0.0.1:" + closedPort + ": ")
                    .containsIgnoringCase("refused");
            src.returned.get(SECONDS, TimeUnit.SECONDS);
        }
    }

    @Test
    void aDestinationThatHangsUpEarly() throws Exception {
        try (FakePeers.Destination dst = new FakePeers.Destination((all, n) -> all.length > 1000 ? new byte[0] : null,
                true);
             ProxyTesting.Running proxy = ProxyTesting.Running.start(proxyOptions(dst.port(), to("gen-max")))) {
            new FakePeers.Source(proxy.port(), stream("gen-max_nopauth"), 1 << 10, 1, false);
            SessionResult r = proxy.single(SECONDS);
            assertThat(r.fault()).isEqualTo(Fault.DESTINATION);
            // how far the proxy got before the reset depends on the kernel's socket buffers, not on the destination
            assertThat(r.reason()).matches("the destination (closed the connection|connection failed).* after \\d+ "
                    + "bytes were written to it, (before the stream was complete: it rejected the stream, failed or "
                    + "was stopped|the whole stream: it failed to load it or went away)");
        }
    }

    @Test
    void garbageOnTheReturnPath() throws Exception {
        byte[] in = StreamEdits.withCommandsAfterConfiguration(stream("gen-max_nopauth"),
                StreamEdits.returnPathCommands());
        byte[] junk = {0x00, 0x63, 0x00, 0x04, 1, 2, 3, 4};
        try (FakePeers.Destination dst = new FakePeers.Destination((all, n) -> all.length > 100 ? junk : null, false);
             ProxyTesting.Running proxy = ProxyTesting.Running.start(proxyOptions(dst.port(), to("gen-max")))) {
            FakePeers.Source src = new FakePeers.Source(proxy.port(), in, 1 << 10, 1, true);
            SessionResult r = proxy.single(SECONDS);
            assertThat(r.fault()).isEqualTo(Fault.DESTINATION);
            assertThat(r.reason()).isEqualTo("the destination sent garbage on the return path at byte 0: unknown "
                    + "message type 0x0063");
            assertThat(src.returned.get(SECONDS, TimeUnit.SECONDS)).as("nothing of it reached the source").isEmpty();
        }
    }

    @Test
    void bytesFromTheDestinationWithoutAReturnPath() throws Exception {
        byte[] pong = new ReturnPathMessage(ReturnPathMessage.PONG, be32(1)).encode();
        try (FakePeers.Destination dst = new FakePeers.Destination((all, n) -> all.length > 100 ? pong : null, false);
             ProxyTesting.Running proxy = ProxyTesting.Running.start(proxyOptions(dst.port(), to("gen-max")))) {
            new FakePeers.Source(proxy.port(), stream("gen-max_nopauth"), 1 << 10, 1, false);
            SessionResult r = proxy.single(SECONDS);
            assertThat(r.fault()).isEqualTo(Fault.DESTINATION);
            assertThat(r.reason()).contains("although the source did not open the return path");
        }
    }

    @Test
    void postcopyIsRefusedBeforeTheDestinationSeesTheAdvise() throws Exception {
        byte[] advise = new byte[16];
        advise[7] = 0x10;
        advise[15] = 0x10;
        byte[] in = StreamEdits.withCommandsAfterConfiguration(stream("gen-max_nopauth"),
                new VmCommand(0, VmCommand.OPEN_RETURN_PATH, new byte[0]),
                new VmCommand(0, VmCommand.POSTCOPY_ADVISE, advise));
        try (FakePeers.Destination dst = FakePeers.Destination.sink();
             ProxyTesting.Running proxy = ProxyTesting.Running.start(proxyOptions(dst.port(), to("gen-max")))) {
            new FakePeers.Source(proxy.port(), in, 1 << 16, 1, true);
            SessionResult r = proxy.single(SECONDS);
            assertThat(r.fault()).isEqualTo(Fault.REFUSED);
            assertThat(r.reason()).contains("postcopy").contains("POSTCOPY_ADVISE");
            assertThat(dst.received.get(SECONDS, TimeUnit.SECONDS)).isEmpty();
        }
    }

    @Test
    void aRefusingPreflightNeverListens() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProxyOptions o = ProxyOptions.of(new HostPort("127.0.0.1", port), new HostPort("127.0.0.1", 1),
                to("gen-max_nopauth")).withSourceProfile(profile(fixture(tmp, "gen-max")));
        ProxyTesting.Recorder events = new ProxyTesting.Recorder();
        assertThatThrownBy(() -> MigrationProxy.open(o, events))
                .isInstanceOf(RewriteRefusedException.class)
                .hasMessageStartingWith("refused before the migration: cpu 0: refused: ")
                .hasMessageEndingWith("; nothing was accepted or forwarded");
        assertThat(events.lines).singleElement().asString().startsWith("preflight refused: cpu 0: refused:");
        assertThatThrownBy(() -> SocketChannel.open(new InetSocketAddress("127.0.0.1", port)))
                .isInstanceOf(ConnectException.class);
    }

    @Test
    void aPassingPreflightListens() throws Exception {
        ProxyOptions o = ProxyOptions.of(ProxyTesting.ANY_LOOPBACK_PORT, new HostPort("127.0.0.1", 1), to("gen-max"))
                .withSourceProfile(profile(fixture(tmp, "gen-max_nopauth")));
        ProxyTesting.Recorder events = new ProxyTesting.Recorder();
        try (MigrationProxy p = MigrationProxy.open(o, events)) {
            assertThat(p.localAddress().getPort()).isPositive();
            assertThat(events.lines).containsExactly("preflight passed");
        }
    }

    @Test
    void keepRunningServesMigrationsOneAfterAnotherEachIsolated() throws Exception {
        RewriteOptions o = to("gen-max");
        byte[] expected = offline("gen-max_nopauth", o);
        try (FakePeers.Destination dst = FakePeers.Destination.sink();
             ProxyTesting.Running proxy = ProxyTesting.Running.start(proxyOptions(dst.port(), o).withKeepRunning(true))) {
            // 1: a source the destination cannot take is refused; 2: the same proxy then relays a good one
            new FakePeers.Source(proxy.port(), stream("gen-max_el2"), 1 << 16, 1, false);
            awaitEnded(proxy, 1);
            new FakePeers.Source(proxy.port(), stream("gen-max_nopauth"), 1 << 16, 2, false);
            awaitEnded(proxy, 2);
            assertThat(dst.connections.poll(SECONDS, TimeUnit.SECONDS)).isNotEqualTo(expected);
            assertThat(dst.connections.poll(SECONDS, TimeUnit.SECONDS)).isEqualTo(expected);
            assertThat(proxy.results).as("still serving").isNotDone();
            proxy.close();
            assertThat(proxy.results.get(SECONDS, TimeUnit.SECONDS))
                    .extracting(SessionResult::number, SessionResult::outcome, SessionResult::fault)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(1, SessionResult.Outcome.FAILED, Fault.REFUSED),
                            org.assertj.core.groups.Tuple.tuple(2, SessionResult.Outcome.FORWARDED, null));
        }
    }

    @Test
    void aSecondMigrationWhileOneRunsIsTurnedAwayWithoutHarmingIt() throws Exception {
        RewriteOptions o = to("gen-max");
        byte[] in = stream("gen-max_nopauth");
        byte[] expected = offline("gen-max_nopauth", o);
        try (FakePeers.Destination dst = FakePeers.Destination.sink();
             ProxyTesting.Running proxy = ProxyTesting.Running.start(proxyOptions(dst.port(), o));
             SocketChannel first = SocketChannel.open(new InetSocketAddress("127.0.0.1", proxy.port()))) {
            first.write(ByteBuffer.wrap(in, 0, 1000));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
            while (!proxy.events.lines.contains("#1 started") && System.nanoTime() < deadline) {
                Thread.sleep(5); // connections are sorted in parallel: make sure the first one is the migration
            }
            try (SocketChannel second = SocketChannel.open(new InetSocketAddress("127.0.0.1", proxy.port()))) {
                second.write(ByteBuffer.wrap(in, 0, 100));
                ByteBuffer b = ByteBuffer.allocate(8);
                int n;
                try {
                    n = second.read(b);
                } catch (IOException e) {
                    n = -1;
                }
                assertThat(n).as("the second connection is closed").isEqualTo(-1);
            }
            ByteBuffer rest = ByteBuffer.wrap(in, 1000, in.length - 1000);
            while (rest.hasRemaining()) {
                first.write(rest);
            }
            first.shutdownOutput();
            SessionResult r = proxy.single(SECONDS);
            assertThat(r.outcome()).as(r.reason()).isEqualTo(SessionResult.Outcome.FORWARDED);
            assertThat(dst.received.get(SECONDS, TimeUnit.SECONDS)).isEqualTo(expected);
            assertThat(proxy.events.lines).anyMatch(l -> l.startsWith("rejected: another migration while migration 1"));
        }
    }

    private static void awaitEnded(ProxyTesting.Running proxy, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        while (proxy.events.ended.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(proxy.events.ended).hasSizeGreaterThanOrEqualTo(n);
    }

    static byte[] be32(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
