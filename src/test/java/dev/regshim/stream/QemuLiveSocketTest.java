package dev.regshim.stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The transform used as a live proxy between two real QEMUs over unix sockets: the source migrates -cpu max into
 * the proxy, the proxy rewrites the cpreg arrays to a -cpu max,pauth=off template on the fly and forwards to a
 * destination started with -cpu max,pauth=off, which accepts it.
 */
@Tag("qemu")
class QemuLiveSocketTest {

    @TempDir
    static Path tmp;

    @BeforeAll
    static void qemu() {
        Qemu.require();
    }

    /** A QEMU with its HMP monitor on stdin/stdout. */
    static final class Hmp implements AutoCloseable {
        final Process p;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final OutputStream in;

        Hmp(List<String> cmd) throws IOException {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            in = p.getOutputStream();
            Thread t = new Thread(() -> {
                byte[] b = new byte[4096];
                try (InputStream s = p.getInputStream()) {
                    int n;
                    while ((n = s.read(b)) > 0) {
                        synchronized (out) {
                            out.write(b, 0, n);
                        }
                    }
                } catch (IOException ignored) {
                    // exited
                }
            });
            t.setDaemon(true);
            t.start();
        }

        void send(String line) throws IOException {
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        String text() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        /** Sends "info status" until the reply shows {@code state}. */
        boolean awaitStatus(String state, long millis) throws Exception {
            long deadline = System.currentTimeMillis() + millis;
            while (System.currentTimeMillis() < deadline && p.isAlive()) {
                send("info status");
                Thread.sleep(50);
                if (text().contains("VM status: paused (" + state + ")")) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void close() throws Exception {
            if (p.isAlive()) {
                try {
                    send("quit");
                } catch (IOException ignored) {
                    // gone
                }
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    @Test
    void proxyRewritesALiveMigration() throws Exception {
        Path template = tmp.resolve("template.mig");
        Qemu.save(template, "-M", "virt", "-cpu", "max,pauth=off", "-m", "64");
        CpuSection t = StreamReader.summarize(template, ReadOptions.defaults()).cpus().get(0);

        Path srcSock = tmp.resolve("src.sock");
        Path dstSock = tmp.resolve("dst.sock");
        try (Hmp dst = new Hmp(Qemu.base("-M", "virt", "-cpu", "max,pauth=off", "-m", "64", "-S",
                "-incoming", "unix:" + dstSock));
             ServerSocketChannel listen = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listen.bind(UnixDomainSocketAddress.of(srcSock));
            long deadline = System.currentTimeMillis() + 20_000;
            while (!Files.exists(dstSock) && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            CompletableFuture<TransformResult> proxy = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel from = listen.accept();
                     SocketChannel to = SocketChannel.open(UnixDomainSocketAddress.of(dstSock))) {
                    return StreamTransformer.of(cpu -> CpregReplacement.of(t.ids(), t.values()))
                            .transform(Channels.newInputStream(from), Channels.newOutputStream(to));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try (Hmp src = new Hmp(Qemu.base("-M", "virt", "-cpu", "max", "-m", "64", "-S"))) {
                src.send("migrate unix:" + srcSock);
                TransformResult r = proxy.get(60, TimeUnit.SECONDS);
                assertThat(r.changes()).singleElement().satisfies(c -> {
                    assertThat(c.before()).isEqualTo(304);
                    assertThat(c.after()).isEqualTo(294);
                });
                assertThat(r.vmdescUpdated()).isTrue();
                assertThat(dst.awaitStatus("prelaunch", 30_000)).as(dst.text()).isTrue();
                long until = System.currentTimeMillis() + 20_000;
                while (!src.text().contains("Migration status: completed") && System.currentTimeMillis() < until) {
                    src.send("info migrate");
                    Thread.sleep(100);
                }
                assertThat(src.text()).contains("Migration status: completed");
            }
        }
    }
}
