package dev.regshim.qemu;

import dev.regshim.release.QemuVersion;
import dev.regshim.testing.QemuTestSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import static dev.regshim.testing.QemuTestSupport.virt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** QemuProcess and QmpClient against the real qemu-system-aarch64 (7.2 on this project's machines). */
@Tag("qemu")
class QemuProcessTest {

    private static final Duration LOAD_TIMEOUT = Duration.ofSeconds(20);
    private static QemuBinary qemu;

    @TempDir
    Path tmp;

    @BeforeAll
    static void qemu() {
        qemu = QemuTestSupport.requireQemu();
    }

    @Test
    void startsStopsContinuesAndQuits() {
        Path dir;
        try (QemuProcess q = QemuProcess.builder(qemu).args(virt("max", "-S")).start()) {
            dir = q.workDir();
            assertThat(Files.isDirectory(dir)).isTrue();
            assertThat(q.command()).containsSubsequence("-nodefaults", "-display", "none", "-qmp");
            assertThat(q.version()).isEqualTo(new QemuVersion(qemu.version().major(), qemu.version().minor(),
                    qemu.version().micro(), q.version().text()));
            assertThat(q.queryStatus()).isEqualTo("prelaunch");
            q.cont();
            assertThat(q.queryStatus()).isEqualTo("running");
            q.stop();
            assertThat(q.queryStatus()).isEqualTo("paused");
            q.qmp().waitForEvent("STOP", e -> true, Duration.ofSeconds(5));
            assertThat(q.quit()).isZero();
            assertThat(q.isAlive()).isFalse();
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void qmpErrorsCarryClassAndDescription() {
        try (QemuProcess q = QemuProcess.start(qemu, virt("max", "-S").toArray(String[]::new))) {
            assertThatThrownBy(() -> q.qmp().execute("no-such-command"))
                    .isInstanceOfSatisfying(QmpException.class, e -> {
                        assertThat(e.errorClass()).isEqualTo("CommandNotFound");
                        assertThat(e.description()).contains("no-such-command");
                        assertThat(e.command()).isEqualTo("no-such-command");
                    });
            // the connection is still usable after an error answer
            assertThat(q.queryStatus()).isEqualTo("prelaunch");
        }
    }

    @Test
    void badCommandLineReportsQemusOwnMessage() {
        assertThatThrownBy(() -> QemuProcess.start(qemu, "-M", "virt", "-cpu", "no-such-cpu"))
                .isInstanceOf(QemuException.class)
                .hasMessageContaining("exited with status 1")
                .hasMessageContaining("no-such-cpu");
    }

    @Test
    void savesAPausedGuestAndLoadsItBack() throws Exception {
        // a name needing shell quoting on 7.2 (exec:cat > '...')
        Path stream = tmp.resolve("it's a stream.mig");
        MigrationResult saved;
        try (QemuProcess src = QemuProcess.builder(qemu).args(virt("max", "-S")).start()) {
            src.setMigrationCapabilities(Map.of("events", true)); // MIGRATION events on the source
            saved = src.migrateToFile(stream);
            assertThat(src.queryStatus()).isEqualTo("postmigrate");
            assertThat(src.qmp().waitForEvent("MIGRATION", e -> e.dataText("status").equals("completed"),
                    Duration.ofSeconds(5)).name()).isEqualTo("MIGRATION");
        }
        assertThat(saved.completed()).isTrue();
        assertThat(saved.totalTimeMs()).isGreaterThanOrEqualTo(0);
        byte[] head = Arrays.copyOf(Files.readAllBytes(stream), 8);
        assertThat(head).containsExactly('Q', 'E', 'V', 'M', 0, 0, 0, 3);
        assertThat(Files.size(stream)).isGreaterThan(400_000);

        try (QemuProcess dst = QemuProcess.builder(qemu).args(virt("max", "-S")).incomingDefer().start()) {
            assertThat(dst.queryStatus()).isEqualTo("inmigrate");
            dst.migrateIncomingFromFile(stream);
            IncomingResult r = dst.waitForIncomingResult(LOAD_TIMEOUT);
            assertThat(r.loaded()).as(r.summary()).isTrue();
            assertThat(r.runState()).isEqualTo("prelaunch");
            assertThat(r.errorLines()).isEmpty();
            dst.cont();
            assertThat(dst.queryStatus()).isEqualTo("running");
        }
    }

    @Test
    void mismatchingCpuFailsWithQemusFourLines() {
        Path stream = tmp.resolve("max.mig");
        try (QemuProcess src = QemuProcess.builder(qemu).args(virt("max", "-S")).start()) {
            src.migrateToFile(stream);
        }
        try (QemuProcess dst = QemuProcess.builder(qemu).args(virt("max,pauth=off", "-S")).incomingDefer().start()) {
            dst.migrateIncomingFromFile(stream);
            IncomingResult r = dst.waitForIncomingResult(LOAD_TIMEOUT);
            assertThat(r.loaded()).isFalse();
            assertThat(r.exitCode()).hasValue(1);
            assertThat(r.errorLines()).containsExactly(
                    "Invalid value 304 expecting positive value <= 294",
                    "Failed to load cpu:cpreg_vmstate_array_len",
                    "error while loading state for instance 0x0 of device 'cpu'",
                    "load of migration failed: Invalid argument");
            assertThat(dst.stderrLines()).allMatch(l -> l.startsWith("qemu-system-aarch64: "));
            assertThat(r.summary()).startsWith("failed (exit 1): Invalid value 304");
        }
    }

    @Test
    void killedProcessIsReportedAndCleanedUp() throws Exception {
        QemuProcess q = QemuProcess.builder(qemu).args(virt("max", "-S")).start();
        Path dir = q.workDir();
        try {
            ProcessHandle.of(q.pid()).orElseThrow().destroyForcibly();
            assertThat(q.waitForExit(Duration.ofSeconds(10))).isNotZero();
            assertThatThrownBy(q::queryStatus).isInstanceOf(QemuException.class)
                    .hasMessageContaining("connection closed");
            assertThatThrownBy(() -> q.qmp().waitForEvent("RESUME", e -> true, Duration.ofSeconds(5)))
                    .isInstanceOf(QemuException.class).hasMessageContaining("closed");
        } finally {
            q.close();
        }
        assertThat(dir).doesNotExist();
        q.close(); // idempotent
    }

    @Test
    void closeKillsARunningProcessAndItsExecHelper() throws Exception {
        Path fifo = tmp.resolve("never-read.fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mk.waitFor()).isZero();
        QemuProcess q = QemuProcess.builder(qemu).args(virt("max", "-S")).start();
        long pid = q.pid();
        // "exec:cat > fifo" blocks forever in the helper because nobody reads the fifo
        q.startMigration(MigrationUris.execWriteFile(fifo));
        assertThat(q.qmp().execute("query-migrate").path("status").asText()).isIn("setup", "active");
        var helpers = ProcessHandle.of(pid).orElseThrow().descendants().toList();
        assertThat(helpers).isNotEmpty();
        q.close();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        for (ProcessHandle h : helpers) {
            h.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(h.isAlive()).isFalse();
        }
        assertThat(q.workDir()).doesNotExist();
    }

    @Test
    void liveTcpMigrationBetweenTwoLocalQemus() {
        try (QemuProcess src = QemuProcess.builder(qemu).args(virt("max", "-S")).start();
             QemuProcess dst = QemuProcess.builder(qemu).args(virt("max", "-S")).incomingDefer().start()) {
            Map<String, Boolean> caps = Map.of("return-path", true);
            dst.setMigrationCapabilities(caps);
            src.setMigrationCapabilities(caps);
            assertThat(src.qmp().execute("query-migrate-capabilities").toString())
                    .contains("{\"state\":true,\"capability\":\"return-path\"}");
            dst.migrateIncoming(MigrationUris.tcp("127.0.0.1", 0));
            int port = dst.incomingPort();
            assertThat(port).isPositive();
            MigrationResult r = src.migrateTo(MigrationUris.tcp("127.0.0.1", port));
            assertThat(r.completed()).isTrue();
            assertThat(r.ramTransferredBytes()).isPositive();
            IncomingResult in = dst.waitForIncomingResult(LOAD_TIMEOUT);
            assertThat(in.loaded()).as(in.summary()).isTrue();
            assertThat(in.runState()).isEqualTo("prelaunch");
        }
    }
}
