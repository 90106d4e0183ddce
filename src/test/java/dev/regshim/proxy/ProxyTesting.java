package dev.regshim.proxy;

import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.LoadSettings;
import dev.regshim.cpreg.Semantics;
import dev.regshim.policy.Policy;
import dev.regshim.policy.RewriteOptions;
import dev.regshim.profile.Profile;
import dev.regshim.profile.source.ProfileSources;
import dev.regshim.stream.Fixtures;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** Starting an in-process proxy for tests, and the profiles and options they use. */
final class ProxyTesting {

    static final HostPort ANY_LOOPBACK_PORT = new HostPort("127.0.0.1", 0);

    private ProxyTesting() {
    }

    /** A 7.2 fixture stream written to {@code dir}, e.g. {@code gen-max}. */
    static Path fixture(Path dir, String name) {
        try {
            Path p = dir.resolve(name + ".mig");
            if (!Files.exists(p)) {
                Files.write(p, Fixtures.stream("qemu-7.2/" + name));
            }
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Profile profile(Path stream) {
        return ProfileSources.resolve(stream.toString());
    }

    /** What {@code regshim rewrite --to DST} uses by default against a TCG destination ({@code --semantics auto}). */
    static RewriteOptions options(Profile destination, Policy policy) {
        Semantics s = Semantics.resolve(Semantics.AUTO, destination.provenance().qemuVersion());
        return new RewriteOptions(destination, LoadSettings.of(s, Accel.TCG), policy, List.of());
    }

    static ProxyOptions proxyOptions(int destinationPort, RewriteOptions r) {
        return ProxyOptions.of(ANY_LOOPBACK_PORT, new HostPort("127.0.0.1", destinationPort), r)
                .withIdleTimeout(Duration.ofSeconds(10)).withWarmUp(false);
    }

    /** Records every event, for assertions. */
    static final class Recorder implements ProxyEvents {
        final List<String> lines = new CopyOnWriteArrayList<>();
        final List<SessionResult> ended = new CopyOnWriteArrayList<>();

        @Override
        public void preflight(Preflight result) {
            lines.add("preflight " + (result.refused() ? "refused: " + result.refusal() : "passed"));
        }

        @Override
        public void sessionStarted(int session, String source, String destination) {
            lines.add("#" + session + " started");
        }

        @Override
        public void returnPathOpened(int session) {
            lines.add("#" + session + " return path opened");
        }

        @Override
        public void returnPathMessage(int session, ReturnPathMessage message) {
            lines.add("#" + session + " rp " + message);
        }

        @Override
        public void extraChannel(int session, String source) {
            lines.add("#" + session + " extra channel");
        }

        @Override
        public void rejected(String source, String reason) {
            lines.add("rejected: " + reason);
        }

        @Override
        public void sessionEnded(SessionResult result) {
            ended.add(result);
        }
    }

    /** A proxy running {@link MigrationProxy#run} on its own thread. */
    static final class Running implements AutoCloseable {
        final MigrationProxy proxy;
        final CompletableFuture<List<SessionResult>> results = new CompletableFuture<>();
        final Recorder events;

        Running(ProxyOptions o, Recorder events) {
            this.events = events;
            this.proxy = MigrationProxy.open(o, events);
            Thread t = new Thread(() -> {
                try {
                    results.complete(proxy.run());
                } catch (RuntimeException e) {
                    results.completeExceptionally(e);
                }
            }, "test-proxy");
            t.setDaemon(true);
            t.start();
        }

        static Running start(ProxyOptions o) {
            return new Running(o, new Recorder());
        }

        int port() {
            return proxy.localAddress().getPort();
        }

        /** The single migration's result (the proxy stops after it). */
        SessionResult single(long seconds) throws Exception {
            List<SessionResult> r = results.get(seconds, TimeUnit.SECONDS);
            if (r.size() != 1) {
                throw new AssertionError("expected one migration, got " + r);
            }
            return r.get(0);
        }

        @Override
        public void close() {
            proxy.close();
        }
    }
}
