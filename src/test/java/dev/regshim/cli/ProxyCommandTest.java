package dev.regshim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.regshim.stream.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code regshim proxy} in-process, between scripted loopback peers (QEMU peers: ProxyQemuCliTest). */
class ProxyCommandTest {

    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path tmp;

    private Path fixture(String name) throws IOException {
        Path p = tmp.resolve(name + ".mig");
        Files.write(p, Fixtures.stream("qemu-7.2/" + name));
        return p;
    }

    /** The CLI running on its own thread, with its output captured. */
    static final class Async {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CompletableFuture<Integer> exit = new CompletableFuture<>();

        Async(String... args) {
            CommandLine cl = Main.newCommandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            Thread t = new Thread(() -> exit.complete(cl.execute(args)), "cli-proxy");
            t.setDaemon(true);
            t.start();
        }

        int port() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                Matcher m = LISTENING.matcher(err.toString());
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
                if (exit.isDone()) {
                    throw new AssertionError("the proxy exited: " + err);
                }
                Thread.sleep(10);
            }
            throw new AssertionError("the proxy did not listen: " + err);
        }
    }

    /** Accepts one connection and keeps what it receives. */
    private static CompletableFuture<byte[]> sink(ServerSocketChannel server) {
        return CompletableFuture.supplyAsync(() -> {
            try (SocketChannel c = server.accept()) {
                return c.socket().getInputStream().readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
    }

    private static void send(int port, byte[] stream) throws IOException {
        try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
            ByteBuffer b = ByteBuffer.wrap(stream);
            while (b.hasRemaining()) {
                c.write(b);
            }
        }
    }

    @Test
    void relaysOneMigrationPrintsJsonAndWritesTheReport() throws Exception {
        Path report = tmp.resolve("report.json");
        try (ServerSocketChannel dst = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            CompletableFuture<byte[]> received = sink(dst);
            Async cli = new Async("proxy", "--listen", "127.0.0.1:0", "--to", "127.0.0.1:"
                    + ((InetSocketAddress) dst.getLocalAddress()).getPort(), "--dest-profile",
                    fixture("gen-max").toString(), "--json", "--report", report.toString());
            send(cli.port(), Files.readAllBytes(fixture("gen-max_nopauth")));
            assertThat(cli.exit.get(20, TimeUnit.SECONDS)).as(cli.err.toString()).isZero();
            JsonNode j = Json.MAPPER.readTree(cli.out.toString());
            assertThat(j.path("outcome").asText()).isEqualTo("forwarded");
            assertThat(j.path("exit_code").asInt()).isZero();
            assertThat(j.path("registers_changed").asInt()).isEqualTo(11);
            assertThat(j.path("bytes_out").asLong()).isEqualTo(received.get(20, TimeUnit.SECONDS).length);
            assertThat(j.path("vcpus").get(0).path("after").asInt()).isEqualTo(304);
            assertThat(j.path("verification").size()).isEqualTo(3);
            assertThat(Json.MAPPER.readTree(report.toFile())).isEqualTo(j);
            assertThat(cli.err.toString()).contains("#1 cpu 0: 294 -> 304 registers, 11 changed",
                    "#1 forwarded: the whole verified stream was delivered");
        }
    }

    @Test
    void aRefusedMigrationExitsOneWithTheReason() throws Exception {
        try (ServerSocketChannel dst = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            sink(dst);
            Async cli = new Async("proxy", "--listen", "0", "--to", "127.0.0.1:"
                    + ((InetSocketAddress) dst.getLocalAddress()).getPort(), "--dest-profile",
                    fixture("gen-max_nopauth").toString());
            send(cli.port(), Files.readAllBytes(fixture("gen-max")));
            assertThat(cli.exit.get(20, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(cli.err.toString()).contains("regshim: migration #1 failed: cpu 0: refused: ID_AA64ISAR1_EL1");
            assertThat(cli.out.toString()).contains("migration #1 from 127.0.0.1:", ": FAILED",
                    "REFUSED APIAKEYLO_EL1", "return path: not enabled by the source");
        }
    }

    @Test
    void aRefusingPreflightExitsOneWithoutListening() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path report = tmp.resolve("preflight.json");
        Cli.Run r = Cli.run("proxy", "--listen", "127.0.0.1:" + port, "--to", "127.0.0.1:1", "--dest-profile",
                fixture("gen-max_nopauth").toString(), "--source-profile", fixture("gen-max").toString(),
                "--report", report.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("preflight: cpu 0: 304 -> 294 registers", "REFUSED",
                "regshim: refused before the migration: cpu 0: refused:", "nothing was accepted or forwarded");
        assertThat(r.err()).doesNotContain("listening on");
        assertThat(Json.MAPPER.readTree(report.toFile()).path("refused").asBoolean()).isTrue();
        assertThatThrownBy(() -> SocketChannel.open(new InetSocketAddress("127.0.0.1", port)))
                .isInstanceOf(ConnectException.class);
    }

    @Test
    void aSourceProfileWithoutValuesIsAUsageError() throws Exception {
        Cli.Run r = Cli.run("proxy", "--to", "127.0.0.1:1", "--dest-profile", fixture("gen-max").toString(),
                "--source-profile", "kernel:6.13");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("has no register values");
    }

    @Test
    void badAddressesAreUsageErrors() throws Exception {
        String dst = fixture("gen-max").toString();
        assertThat(Cli.run("proxy", "--to", "127.0.0.1:x", "--dest-profile", dst).err())
                .contains("regshim: cannot parse address '127.0.0.1:x': port 'x' is not a number");
        assertThat(Cli.run("proxy", "--to", "127.0.0.1:70000", "--dest-profile", dst).exit()).isEqualTo(2);
        assertThat(Cli.run("proxy", "--to", "::1:5", "--dest-profile", dst).err()).contains("[ADDR]:PORT");
        assertThat(Cli.run("proxy", "--dest-profile", dst).exit()).isEqualTo(2);
        assertThat(Cli.run("proxy", "--to", "127.0.0.1:1", "--dest-profile", dst, "--idle-timeout", "0").err())
                .contains("must be positive");
    }

    @Test
    void reportsOfSeveralMigrationsAreNumbered() {
        assertThat(ProxyCommand.numbered(Path.of("/r/report.json"), 3)).isEqualTo(Path.of("/r/report-3.json"));
        assertThat(ProxyCommand.numbered(Path.of("report"), 1)).isEqualTo(Path.of("report-1"));
    }
}
