package dev.regshim.testing;

import dev.regshim.lab.guest.CounterLine;
import dev.regshim.lab.guest.SerialLog;
import dev.regshim.lab.guest.Continuity;

import dev.regshim.qemu.IncomingResult;
import dev.regshim.qemu.QemuBinary;
import dev.regshim.qemu.QemuProcess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.regshim.testing.QemuTestSupport.virt;
import static org.assertj.core.api.Assertions.assertThat;

/** The counter guest under real QEMU: it runs, and resumes exactly after save → load. */
@Tag("qemu")
class CounterGuestTest {

    /** ~0.6 s of guest time at 10 lines per second. */
    private static final int LINES_PER_RUN = 6;
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(20);

    private static QemuBinary qemu;
    private static Path elf;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() {
        qemu = QemuTestSupport.requireQemu();
        elf = CounterGuest.elf();
    }

    @Test
    void buildIsCachedBySourceHash() throws Exception {
        Path again = CounterGuest.elf();
        assertThat(again).isEqualTo(elf);
        assertThat(elf.getFileName().toString()).matches("counter-[0-9a-f]{16}\\.elf");
        byte[] head = Files.readAllBytes(elf);
        assertThat(head[0]).isEqualTo((byte) 0x7f);
        assertThat(new String(head, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("ELF");
    }

    @Test
    void printsProgramValuesAtEl1() {
        SerialLog log = run(virt("max"), 3);
        assertThat(log.bannerLines()).containsExactly(1);
        assertThat(log.lines()).allSatisfy(l -> {
            assertThat(l.el()).isEqualTo(1);
            assertThat(CounterGuest.hasProgramValues(l)).as(l.registers()).isTrue();
        });
        assertThat(log.lines()).extracting(CounterLine::count).startsWith(0L, 1L, 2L);
        assertThat(log.unparsed()).isEmpty();
    }

    @Test
    void runsAtEl2WithVirtualizationAndWithTwoVcpus() {
        SerialLog el2 = run(List.of("-M", "virt,virtualization=on", "-cpu", "max", "-m", "64"), 2);
        assertThat(el2.lines()).allSatisfy(l -> {
            assertThat(l.el()).isEqualTo(2);
            assertThat(CounterGuest.hasProgramValues(l)).isTrue();
        });
        SerialLog smp2 = run(virt("max", "-smp", "2"), 2);
        assertThat(smp2.bannerLines()).as("only the boot vCPU runs the program").hasSize(1);
        assertThat(smp2.lines()).allSatisfy(l -> assertThat(CounterGuest.hasProgramValues(l)).isTrue());
    }

    @Test
    void resumesExactlyAfterSaveAndLoad() {
        Path srcLog = tmp.resolve("src.serial");
        Path dstLog = tmp.resolve("dst.serial");
        Path stream = tmp.resolve("counter.mig");
        try (QemuProcess src = QemuProcess.builder(qemu).args(virt("max", "-kernel", elf.toString()))
                .serialFile(srcLog).start()) {
            SerialLogs.awaitLines(srcLog, LINES_PER_RUN, RUN_TIMEOUT);
            src.stop();
            src.migrateToFile(stream);
        }
        try (QemuProcess dst = QemuProcess.builder(qemu).args(virt("max")).serialFile(dstLog).incomingDefer()
                .start()) {
            dst.migrateIncomingFromFile(stream);
            IncomingResult r = dst.waitForIncomingResult(RUN_TIMEOUT);
            assertThat(r.loaded()).as(r.summary()).isTrue();
            assertThat(r.runState()).isEqualTo("paused");
            dst.cont();
            SerialLogs.awaitLines(dstLog, LINES_PER_RUN, RUN_TIMEOUT);
        }
        Continuity.Report report = Continuity.check(srcLog, dstLog);
        assertThat(report.ok()).as(report.problem()).isTrue();
        assertThat(report.destinationFirst()).isEqualTo(report.sourceLast() + 1);
        assertThat(report.sourceLines()).isGreaterThanOrEqualTo(LINES_PER_RUN);
        assertThat(SerialLog.read(dstLog).lines()).allSatisfy(
                l -> assertThat(CounterGuest.hasProgramValues(l)).isTrue());
    }

    @Test
    void liveTcpMigrationOfARunningGuestKeepsCounting() {
        Path srcLog = tmp.resolve("src.serial");
        Path dstLog = tmp.resolve("dst.serial");
        try (QemuProcess src = QemuProcess.builder(qemu).args(virt("max", "-kernel", elf.toString()))
                .serialFile(srcLog).start();
             QemuProcess dst = QemuProcess.builder(qemu).args(virt("max")).serialFile(dstLog).incomingDefer()
                     .start()) {
            dst.migrateIncoming("tcp:127.0.0.1:0");
            SerialLogs.awaitLines(srcLog, 3, RUN_TIMEOUT);
            src.migrateTo("tcp:127.0.0.1:" + dst.incomingPort());
            IncomingResult r = dst.waitForIncomingResult(RUN_TIMEOUT);
            assertThat(r.runState()).as(r.summary()).isEqualTo("running"); // a running source autostarts
            assertThat(src.queryStatus()).isEqualTo("postmigrate");
            SerialLogs.awaitLines(dstLog, 3, RUN_TIMEOUT);
        }
        Continuity.Report report = Continuity.check(srcLog, dstLog);
        assertThat(report.ok()).as(report.problem()).isTrue();
    }

    private SerialLog run(List<String> args, int lines) {
        Path log = tmp.resolve("run-" + System.nanoTime() + ".serial");
        try (QemuProcess q = QemuProcess.builder(qemu).args(args).args("-kernel", elf.toString()).serialFile(log)
                .start()) {
            return SerialLogs.awaitLines(log, lines, RUN_TIMEOUT);
        }
    }
}
