package dev.regshim.qemu;

import dev.regshim.release.QemuVersion;
import dev.regshim.testing.QemuTestSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import static dev.regshim.testing.QemuTestSupport.virt;
import static org.assertj.core.api.Assertions.assertThat;

/** QEMU 10.0 (from scripts/get-qemu.sh 10.0) next to the system's QEMU 7.2. */
@Tag("qemu")
class Qemu10Test {

    private static final Duration LOAD_TIMEOUT = Duration.ofSeconds(20);
    /** Stream header: magic, version, QEMU_VM_CONFIGURATION, be32 name length, machine name. */
    private static final int MACHINE_NAME_LENGTH_OFFSET = 9;
    private static final int MACHINE_NAME_OFFSET = 13;

    private static QemuBinary qemu10;

    @TempDir
    Path tmp;

    @BeforeAll
    static void qemu10() {
        qemu10 = QemuTestSupport.requireQemu10();
    }

    @Test
    void isTheTrixieBuild() {
        QemuVersion v = qemu10.version();
        assertThat(v.major()).isEqualTo(10);
        assertThat(v.minor()).isZero();
        assertThat(v.hasFileMigrationUri()).isTrue();
        assertThat(qemu10.path().getFileName().toString()).isEqualTo(QemuBinary.EXECUTABLE);
    }

    @Test
    void savesWithFileUriAndLoadsBack() throws Exception {
        Path stream = tmp.resolve("max10.mig");
        try (QemuProcess src = QemuProcess.builder(qemu10).args(virt("max", "-S")).start()) {
            assertThat(src.version().major()).isEqualTo(10);
            assertThat(MigrationUris.writeFile(src.version(), stream)).isEqualTo("file:" + stream);
            assertThat(src.migrateToFile(stream).completed()).isTrue();
        }
        byte[] head = Arrays.copyOf(Files.readAllBytes(stream), MACHINE_NAME_OFFSET + 9);
        assertThat(head[MACHINE_NAME_LENGTH_OFFSET + 3]).isEqualTo((byte) 9);
        assertThat(new String(head, MACHINE_NAME_OFFSET, 9, StandardCharsets.US_ASCII)).isEqualTo("virt-10.0");

        try (QemuProcess dst = QemuProcess.builder(qemu10).args(virt("max", "-S")).incomingDefer().start()) {
            dst.migrateIncomingFromFile(stream);
            IncomingResult r = dst.waitForIncomingResult(LOAD_TIMEOUT);
            assertThat(r.loaded()).as(r.summary()).isTrue();
            assertThat(r.runState()).isEqualTo("prelaunch");
        }
    }

    @Test
    void aQemu72StreamDoesNotLoadIntoQemu10EvenWithTheOldMachineType() {
        QemuBinary qemu72 = QemuTestSupport.requireQemu();
        Path stream = tmp.resolve("max72.mig");
        try (QemuProcess src = QemuProcess.builder(qemu72).args(virt("max", "-S")).start()) {
            src.migrateToFile(stream);
        }
        try (QemuProcess dst = QemuProcess.builder(qemu10)
                .args("-M", "virt-7.2", "-cpu", "max", "-m", "64", "-S").incomingDefer().start()) {
            dst.migrateIncomingFromFile(stream);
            IncomingResult r = dst.waitForIncomingResult(LOAD_TIMEOUT);
            assertThat(r.loaded()).isFalse();
            assertThat(r.exitCode()).hasValue(1);
            // 304 <= 10.0's 329 entries passes the length check; the 7.2-only index 0x40200000200f3a00 then fails
            // the merge walk in cpu_post_load, which QEMU reports as EPERM without naming the register
            assertThat(r.errorLines()).containsExactly(
                    "error while loading state for instance 0x0 of device 'cpu'",
                    "load of migration failed: Operation not permitted");
        }
    }
}
