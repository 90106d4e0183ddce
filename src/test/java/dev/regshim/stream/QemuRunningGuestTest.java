package dev.regshim.stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A running guest (src/test/guest/memfill.S, filling 1 MiB) saved by real QEMU 7.2: the decoded cpu fields are the
 * program's registers, the filled pages are counted as data pages, and the stream round-trips and reloads.
 */
@Tag("qemu")
class QemuRunningGuestTest {

    private static final long FILL_START = 0x4020_0000L;
    private static final long FILL_END = 0x4030_0000L;
    private static final long PATTERN = 0x9E37_79B9_7F4A_7C15L;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void tools() {
        Qemu.require();
    }

    private static Path buildGuest() throws IOException, InterruptedException {
        Path src = Path.of("src/test/guest/memfill.S").toAbsolutePath();
        Path obj = tmp.resolve("memfill.o");
        Path elf = tmp.resolve("memfill.elf");
        run("aarch64-linux-gnu-as", "--defsym", "FILL_END=0x" + Long.toHexString(FILL_END), "-o", obj.toString(),
                src.toString());
        run("aarch64-linux-gnu-ld", "-N", "-Ttext=0x40080000", "-e", "_start", "-o", elf.toString(), obj.toString());
        return elf;
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            if ("true".equals(System.getenv("CI"))) {
                throw e;
            }
            org.junit.jupiter.api.Assumptions.abort(cmd[0] + " not installed");
            return;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
    }

    @Test
    void runningGuestRegistersAndPages() throws Exception {
        Path elf = buildGuest();
        Path serial = tmp.resolve("serial.txt");
        Path stream = tmp.resolve("running.mig");
        List<String> cmd = Qemu.base("-M", "virt", "-cpu", "max", "-m", "64", "-kernel", elf.toString(),
                "-serial", "file:" + serial);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            long deadline = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < deadline
                    && !(Files.exists(serial) && Files.readString(serial).contains("memfill done"))) {
                Thread.sleep(20);
            }
            in.write(("stop\nmigrate \"exec:cat > " + stream + "\"\nquit\n").getBytes(StandardCharsets.UTF_8));
        }
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(serial)).contains("memfill done");

        StreamSummary s = StreamReader.summarize(stream, ReadOptions.defaults());
        CpuSection cpu = s.cpus().get(0);
        assertThat(cpu.xreg(0)).isEqualTo(FILL_END);
        assertThat(cpu.xreg(1)).isEqualTo(FILL_END);
        assertThat(cpu.xreg(2)).isEqualTo(PATTERN);
        assertThat(cpu.xreg(3)).isEqualTo((FILL_END - 16) ^ PATTERN);
        assertThat(cpu.xreg(5)).isEqualTo(0x0900_0000L);
        assertThat(cpu.pc()).isBetween(0x4008_0000L, 0x4008_0100L);
        assertThat(cpu.pstate() & 0xf).as("EL1h").isEqualTo(0x5);
        long filledPages = (FILL_END - FILL_START) / 4096;
        assertThat(s.ramBlocks().get(0).dataPages()).isGreaterThanOrEqualTo(filledPages);

        byte[] bytes = Files.readAllBytes(stream);
        assertThat(Codec.roundTrip(bytes, 0)).isEqualTo(bytes);
        List<String> args = new ArrayList<>(List.of("-M", "virt", "-cpu", "max", "-m", "64"));
        Qemu.Load l = Qemu.load(stream, args.toArray(String[]::new));
        assertThat(l.runstate()).as(l.stderr()).isEqualTo("paused");
    }
}
