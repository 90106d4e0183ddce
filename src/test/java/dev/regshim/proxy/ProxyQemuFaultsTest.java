package dev.regshim.proxy;

import dev.regshim.lab.guest.Continuity;
import dev.regshim.lab.guest.SerialLog;
import dev.regshim.policy.Policy;
import dev.regshim.policy.RewriteOptions;
import dev.regshim.qemu.IncomingResult;
import dev.regshim.qemu.MigrationResult;
import dev.regshim.qemu.QemuProcess;
import dev.regshim.testing.SerialLogs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.regshim.proxy.QemuRig.config;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the source sees when the proxy refuses or a peer fails, with real QEMUs on 127.0.0.1: every time the proxy
 * ends the migration within 5 s with the side at fault, and wherever the source survives its VM is still running.
 * Mid-stream faults use a bandwidth limit on the source (max-bandwidth) so that the stream takes seconds.
 */
@Tag("qemu")
class ProxyQemuFaultsTest {

    private static final Map<String, Boolean> RETURN_PATH = Map.of("return-path", true);
    /** Bytes per second: the ~0.5 MB stream of the counter guest then takes ~3 s. */
    private static final long SLOW = 150_000;
    private static final long FIVE_SECONDS = 5;
    private static final List<String> SRC = config("max,pauth=off", 1);
    private static final List<String> DST = config("max", 1);
    private static QemuRig rig;

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() {
        rig = new QemuRig(shared);
    }

    private static RewriteOptions options(List<String> destination) {
        return ProxyTesting.options(ProxyTesting.profile(rig.profile(destination)), Policy.STRICT);
    }

    @Test
    void refusedWithoutReturnPathTheSourceSaysCompletedAndWaitsPaused() throws Exception {
        List<String> src = config("max", 1);
        List<String> dst = config("max,pauth=off", 1);
        Path srcLog = tmp.resolve("src.serial");
        try (QemuProcess source = rig.source(src, srcLog);
             QemuProcess destination = rig.destination(dst, tmp.resolve("dst.serial"), Map.of());
             ProxyTesting.Running proxy = ProxyTesting.Running.start(
                     ProxyTesting.proxyOptions(destination.incomingPort(), options(dst)))) {
            MigrationResult m = QemuRig.migrate(source, proxy.port(), Map.of());
            SessionResult r = report(proxy.single(30));
            assertThat(r.fault()).isEqualTo(Fault.REFUSED);
            assertThat(r.returnPath()).isFalse();
            assertThat(m.status()).as("without return-path the source only knows it wrote everything")
                    .isEqualTo("completed");
            assertThat(source.queryStatus()).isEqualTo("postmigrate");
            assertThat(QemuRig.incoming(destination).loaded()).isFalse();
            int lines = SerialLog.read(srcLog).lines().size();
            source.cont();
            assertThat(source.queryStatus()).isEqualTo("running");
            SerialLog after = SerialLogs.awaitLines(srcLog, lines + 2, QemuRig.TIMEOUT);
            assertThat(after.lines()).as("the guest resumed on the source where it stopped")
                    .extracting(l -> l.count() - after.lines().get(0).count())
                    .isEqualTo(java.util.stream.LongStream.range(0, after.lines().size()).boxed().toList());
        }
    }

    @Test
    void aSourceKilledMidStream() throws Exception {
        try (QemuProcess source = rig.source(SRC, tmp.resolve("src.serial"));
             QemuProcess destination = rig.destination(DST, tmp.resolve("dst.serial"), Map.of());
             ProxyTesting.Running proxy = ProxyTesting.Running.start(
                     ProxyTesting.proxyOptions(destination.incomingPort(), options(DST)))) {
            startSlow(source, proxy.port(), true);
            awaitTransferred(source, SLOW / 2);
            source.kill();
            SessionResult r = report(proxy.single(FIVE_SECONDS));
            assertThat(r.fault()).isEqualTo(Fault.SOURCE);
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.reason()).matches("the source (closed the connection mid-stream|connection failed).*");
            assertThat(r.bytesIn()).isPositive();
            assertThat(QemuRig.incoming(destination).loaded()).isFalse();
        }
    }

    @ParameterizedTest(name = "return-path {0}")
    @ValueSource(booleans = {true, false})
    void aDestinationKilledMidStream(boolean returnPath) throws Exception {
        try (QemuProcess source = rig.source(SRC, tmp.resolve("src.serial"));
             QemuProcess destination = rig.destination(DST, tmp.resolve("dst.serial"), Map.of());
             ProxyTesting.Running proxy = ProxyTesting.Running.start(
                     ProxyTesting.proxyOptions(destination.incomingPort(), options(DST)))) {
            startSlow(source, proxy.port(), returnPath);
            awaitTransferred(source, SLOW / 2);
            destination.kill();
            SessionResult r = report(proxy.single(FIVE_SECONDS));
            assertThat(r.fault()).isEqualTo(Fault.DESTINATION);
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.reason()).contains("before the stream was complete");
            MigrationResult m = source.awaitMigration(QemuRig.TIMEOUT);
            assertThat(m.status()).isEqualTo("failed");
            assertThat(source.queryStatus()).isEqualTo("running");
        }
    }

    @ParameterizedTest(name = "return-path {0}")
    @ValueSource(booleans = {true, false})
    void aDestinationThatRefusesTheConnection(boolean returnPath) throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        try (QemuProcess source = rig.source(SRC, tmp.resolve("src.serial"));
             ProxyTesting.Running proxy = ProxyTesting.Running.start(ProxyTesting.proxyOptions(closed, options(DST)))) {
            source.setMigrationCapabilities(Map.of("return-path", returnPath));
            source.startMigration("tcp:127.0.0.1:" + proxy.port());
            SessionResult r = report(proxy.single(FIVE_SECONDS));
            assertThat(r.fault()).isEqualTo(Fault.DESTINATION);
            assertThat(r.reason()).startsWith("cannot connect to the destination");
            assertThat(source.awaitMigration(QemuRig.TIMEOUT).status()).isEqualTo("failed");
            assertThat(source.queryStatus()).isEqualTo("running");
        }
    }

    @Test
    void garbageFromTheSourceMidStreamNeverLoads() throws Exception {
        Path saved;
        try (QemuProcess p = QemuProcess.builder(rig.qemu).args(SRC).args("-S").start()) {
            saved = tmp.resolve("saved.mig");
            p.migrateToFile(saved);
        }
        byte[] bad = Files.readAllBytes(saved);
        int at = (int) StreamEdits.ramEnd(bad) / 2;
        for (int i = at; i < at + 32; i++) {
            bad[i] = (byte) 0xff;
        }
        try (QemuProcess destination = rig.destination(DST, tmp.resolve("dst.serial"), Map.of());
             ProxyTesting.Running proxy = ProxyTesting.Running.start(
                     ProxyTesting.proxyOptions(destination.incomingPort(), options(DST)))) {
            new FakePeers.Source(proxy.port(), bad, 1 << 14, 1, false);
            SessionResult r = report(proxy.single(FIVE_SECONDS));
            assertThat(r.fault()).isEqualTo(Fault.SOURCE);
            assertThat(r.reason()).startsWith("the source sent an invalid stream: offset ");
            IncomingResult in = QemuRig.incoming(destination);
            assertThat(in.loaded()).as(in.summary()).isFalse();
        }
    }

    @Test
    void aStoppedDestinationTimesOut() throws Exception {
        try (QemuProcess source = rig.source(SRC, tmp.resolve("src.serial"));
             QemuProcess destination = rig.destination(DST, tmp.resolve("dst.serial"), Map.of());
             ProxyTesting.Running proxy = ProxyTesting.Running.start(
                     ProxyTesting.proxyOptions(destination.incomingPort(), options(DST))
                             .withIdleTimeout(Duration.ofSeconds(2)))) {
            signal("STOP", destination.pid());
            try {
                MigrationResult m = QemuRig.migrate(source, proxy.port(), RETURN_PATH);
                SessionResult r = report(proxy.single(FIVE_SECONDS));
                assertThat(r.fault()).isEqualTo(Fault.DESTINATION);
                assertThat(r.reason()).matches("the destination (has not taken any data|did not acknowledge the load)"
                        + ".* 2 s.*");
                assertThat(m.status()).isEqualTo("failed");
                assertThat(source.queryStatus()).isEqualTo("running");
            } finally {
                signal("CONT", destination.pid());
            }
        }
    }

    @Test
    void strayConnectionsBeforeTheMigrationDoNotUseItUp() throws Exception {
        Path srcLog = tmp.resolve("src.serial");
        Path dstLog = tmp.resolve("dst.serial");
        try (QemuProcess source = rig.source(SRC, srcLog);
             QemuProcess destination = rig.destination(DST, dstLog, RETURN_PATH);
             ProxyTesting.Running proxy = ProxyTesting.Running.start(
                     ProxyTesting.proxyOptions(destination.incomingPort(), options(DST)))) {
            try (java.net.Socket scan = new java.net.Socket("127.0.0.1", proxy.port())) {
                scan.setSoLinger(true, 0); // a port scan: connect, reset
            }
            try (java.net.Socket health = new java.net.Socket("127.0.0.1", proxy.port())) {
                health.getOutputStream().write("GET /healthz HTTP/1.1\r\n\r\n".getBytes());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (proxy.events.lines.stream().filter(l -> l.startsWith("rejected:")).count() < 2
                    && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(proxy.events.lines).filteredOn(l -> l.startsWith("rejected:")).hasSize(2);
            MigrationResult m = QemuRig.migrate(source, proxy.port(), RETURN_PATH);
            SessionResult r = report(proxy.single(30));
            assertThat(r.outcome()).as(r.reason()).isEqualTo(SessionResult.Outcome.LOADED);
            assertThat(m.status()).isEqualTo("completed");
            SerialLogs.awaitLines(dstLog, QemuRig.LINES, QemuRig.TIMEOUT);
            destination.stop();
            Continuity.Report c = Continuity.check(srcLog, dstLog, true);
            assertThat(c.ok()).as(c.problem()).isTrue();
        }
    }

    @Test
    void multifdChannelsPassThroughUntouched() throws Exception {
        Map<String, Boolean> caps = Map.of("return-path", true, "multifd", true);
        Path srcLog = tmp.resolve("src.serial");
        Path dstLog = tmp.resolve("dst.serial");
        try (QemuProcess source = rig.source(SRC, srcLog);
             QemuProcess destination = rig.destination(DST, dstLog, caps);
             ProxyTesting.Running proxy = ProxyTesting.Running.start(
                     ProxyTesting.proxyOptions(destination.incomingPort(), options(DST)))) {
            MigrationResult m = QemuRig.migrate(source, proxy.port(), caps);
            SessionResult r = report(proxy.single(30));
            assertThat(r.outcome()).as(r.reason()).isEqualTo(SessionResult.Outcome.LOADED);
            assertThat(m.status()).isEqualTo("completed");
            assertThat(r.extraChannels()).as("QEMU's default multifd-channels").isEqualTo(2);
            assertThat(r.extraBytes()).isPositive();
            assertThat(r.registersChanged()).isEqualTo(11);
            SerialLogs.awaitLines(dstLog, QemuRig.LINES, QemuRig.TIMEOUT);
            destination.stop();
            Continuity.Report c = Continuity.check(srcLog, dstLog, true);
            assertThat(c.ok()).as(c.problem()).isTrue();
        }
    }

    @Test
    void postcopyIsRefusedAndTheSourceRunsOn() throws Exception {
        Map<String, Boolean> caps = Map.of("return-path", true, "postcopy-ram", true);
        try (QemuProcess source = rig.source(SRC, tmp.resolve("src.serial"));
             QemuProcess destination = rig.destination(DST, tmp.resolve("dst.serial"), Map.of());
             ProxyTesting.Running proxy = ProxyTesting.Running.start(
                     ProxyTesting.proxyOptions(destination.incomingPort(), options(DST)))) {
            MigrationResult m = QemuRig.migrate(source, proxy.port(), caps);
            SessionResult r = report(proxy.single(FIVE_SECONDS));
            assertThat(r.fault()).isEqualTo(Fault.REFUSED);
            assertThat(r.reason()).contains("POSTCOPY_ADVISE");
            // the header, configuration and the commands before POSTCOPY_ADVISE may have gone out, depending on how
            // the source's writes were split; the advise command and anything after it never do
            assertThat(r.bytesOut()).isLessThan(128);
            assertThat(m.status()).isEqualTo("failed");
            assertThat(source.queryStatus()).isEqualTo("running");
        }
    }

    /** The reasons go to the test output: the README quotes them. */
    private static SessionResult report(SessionResult r) {
        System.out.println(new Throwable().getStackTrace()[1].getMethodName() + ": " + r.outcome() + " "
                + r.fault() + ": " + r.reason());
        return r;
    }

    private static void startSlow(QemuProcess source, int port, boolean returnPath) {
        source.setMigrationParameters(Map.of("max-bandwidth", SLOW));
        source.setMigrationCapabilities(Map.of("return-path", returnPath));
        source.startMigration("tcp:127.0.0.1:" + port);
    }

    /** Waits until the source has sent this many bytes of RAM and is still migrating. */
    private static void awaitTransferred(QemuProcess source, long bytes) throws InterruptedException {
        long deadline = System.nanoTime() + QemuRig.TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            var info = source.qmp().execute("query-migrate");
            assertThat(info.path("status").asText()).isIn("setup", "active");
            if (info.path("ram").path("transferred").asLong() >= bytes) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the source did not send " + bytes + " bytes in time");
    }

    private static void signal(String sig, long pid) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
    }
}
