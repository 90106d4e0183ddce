package dev.regshim.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.regshim.cli.Json;
import dev.regshim.cli.Main;
import dev.regshim.qemu.IncomingResult;
import dev.regshim.qemu.MigrationResult;
import dev.regshim.qemu.QemuException;
import dev.regshim.qemu.QemuProcess;
import dev.regshim.lab.guest.Continuity;
import dev.regshim.lab.guest.SerialLog;
import dev.regshim.testing.SerialLogs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.regshim.proxy.QemuRig.config;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code regshim proxy} as a user runs it (in-process CLI), between real QEMUs. */
@Tag("qemu")
class ProxyQemuCliTest {

    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
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

    private static final class Cli {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CompletableFuture<Integer> exit = new CompletableFuture<>();

        Cli(String... args) {
            CommandLine cl = Main.newCommandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            Thread t = new Thread(() -> exit.complete(cl.execute(args)), "cli");
            t.setDaemon(true);
            t.start();
        }

        int port() throws InterruptedException {
            for (int i = 0; i < 2000 && !exit.isDone(); i++) {
                Matcher m = LISTENING.matcher(err.toString());
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
                Thread.sleep(10);
            }
            throw new AssertionError("not listening: " + err);
        }
    }

    @Test
    void aLiveMigrationThroughTheCommand() throws Exception {
        Path srcLog = tmp.resolve("src.serial");
        Path dstLog = tmp.resolve("dst.serial");
        try (QemuProcess source = rig.source(SRC, srcLog);
             QemuProcess destination = rig.destination(DST, dstLog, Map.of())) {
            Cli cli = new Cli("proxy", "--listen", "127.0.0.1:0", "--to", "127.0.0.1:" + destination.incomingPort(),
                    "--dest-profile", rig.profile(DST).toString(), "--json", "--progress-interval", "0.05");
            MigrationResult m = QemuRig.migrate(source, cli.port(), Map.of("return-path", true));
            assertThat(cli.exit.get(30, TimeUnit.SECONDS)).as(cli.err.toString()).isZero();
            assertThat(m.status()).isEqualTo("completed");
            JsonNode j = Json.MAPPER.readTree(cli.out.toString());
            assertThat(j.path("outcome").asText()).isEqualTo("loaded");
            assertThat(j.path("shut").asInt(-1)).isZero();
            assertThat(j.path("registers_changed").asInt()).isEqualTo(11);
            assertThat(cli.err.toString()).contains("return path open", "return path: PONG 1", "return path: SHUT 0",
                    "#1 cpu 0: 294 -> 304 registers, 11 changed", "#1 loaded: ");
            IncomingResult in = QemuRig.incoming(destination);
            assertThat(in.runState()).as(in.summary()).isEqualTo("running");
            SerialLogs.awaitLines(dstLog, QemuRig.LINES, QemuRig.TIMEOUT);
            destination.stop();
            Continuity.Report c = Continuity.check(srcLog, dstLog, true);
            assertThat(c.ok()).as(c.problem()).isTrue();
        }
    }

    @Test
    void aPreflightRefusalLeavesTheSourceRunningWithoutAByteFlowing() throws Exception {
        List<String> src = config("max", 1);
        List<String> dst = config("max,pauth=off", 1);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (QemuProcess source = rig.source(src, tmp.resolve("src.serial"))) {
            Path saved = QemuRig.saveAndContinue(source, tmp.resolve("source.mig"));
            Cli cli = new Cli("proxy", "--listen", "127.0.0.1:" + port, "--to", "127.0.0.1:1", "--dest-profile",
                    rig.profile(dst).toString(), "--source-profile", saved.toString());
            assertThat(cli.exit.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(cli.err.toString()).contains("regshim: refused before the migration: cpu 0: refused: ")
                    .doesNotContain("listening on");
            try {
                source.setMigrationCapabilities(Map.of("return-path", true));
                source.startMigration("tcp:127.0.0.1:" + port);
                assertThat(source.awaitMigration(QemuRig.TIMEOUT).status()).isEqualTo("failed");
            } catch (QemuException e) {
                assertThat(e.getMessage()).containsIgnoringCase("refused");
            }
            assertThat(source.queryStatus()).isEqualTo("running");
        }
    }
}
