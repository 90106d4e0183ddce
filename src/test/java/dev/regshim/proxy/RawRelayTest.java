package dev.regshim.proxy;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmark baseline relays every byte both ways and ends when both sides have closed. */
class RawRelayTest {

    @Test
    void relaysBothDirectionsUntilBothSidesClose() throws Exception {
        byte[] payload = new byte[3 << 20];
        new Random(7).nextBytes(payload);
        byte[] answer = "SHUT 0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (ServerSocket dst = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                try (Socket s = dst.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                    byte[] all = in.readAllBytes();
                    out.write(answer);
                    return all;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            AtomicInteger port = new AtomicInteger();
            CompletableFuture<RawRelay.Result> relay = CompletableFuture.supplyAsync(() -> {
                try {
                    return RawRelay.relayOnce(new HostPort("127.0.0.1", 0), new HostPort("127.0.0.1", dst.getLocalPort()),
                            line -> port.set(Integer.parseInt(line.substring("listening on ".length()))));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            while (port.get() == 0) {
                Thread.sleep(5);
            }
            ByteArrayOutputStream back = new ByteArrayOutputStream();
            try (Socket src = new Socket()) {
                src.connect(new InetSocketAddress("127.0.0.1", port.get()));
                src.getOutputStream().write(payload);
                src.shutdownOutput();
                src.getInputStream().transferTo(back);
            }
            RawRelay.Result r = relay.get(10, TimeUnit.SECONDS);
            assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo(payload);
            assertThat(back.toByteArray()).isEqualTo(answer);
            assertThat(r.forwarded()).isEqualTo(payload.length);
            assertThat(r.returned()).isEqualTo(answer.length);
        }
    }
}
