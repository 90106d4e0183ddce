package dev.regshim.lab;

import com.fasterxml.jackson.databind.JsonNode;
import dev.regshim.cli.Cli;
import dev.regshim.cli.Json;
import dev.regshim.kernel.capture.CaptureJson;
import dev.regshim.kernel.capture.CaptureSpecs;
import dev.regshim.kernel.capture.CapturedSet;
import dev.regshim.kernel.capture.KvmCapture;
import dev.regshim.regs.RegSet;
import dev.regshim.util.JsonInput;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real kernels, real KVM: Debian arm64 kernels booted at EL2 in an outer QEMU, captured fresh, and held against the
 * committed kernel table: {@code kernel capture} and {@code kernel show} must agree register for register. A sample of
 * the evidence matrix ({@code scripts/capture-evidence.sh} runs all of it): the forward break (6.12 lists TCR2/PIRE0/PIR
 * unconditionally), the backward breaks (6.18's BMAP_2, 7.3's PMMIR_EL1), on a host without and one with
 * FEAT_TCR2/S1PIE.
 */
@Tag("kvm")
class KernelCaptureKvmTest {

    @BeforeAll
    static void lab() {
        Lab.require();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({"6.12.43, max@10.0", "6.12.43, max@11.1", "6.18, max@10.0", "6.18, max@11.1", "7.3, max@10.0",
            "7.3, max@11.1"})
    void aFreshCaptureEqualsKernelShowSetBySet(String kernel, String host, @TempDir Path dir) throws Exception {
        Path out = dir.resolve("capture.json");
        Cli.Run r = Cli.run("kernel", "capture", kernel, "--host", host, "-o", out.toString());
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("-cpu host runs: pmu+sve+pauth").doesNotContain("DIFFERS");
        KvmCapture c = CaptureJson.read(JsonInput.read(out, CaptureJson.MAX_FILE_BYTES));
        List<String> offered = new ArrayList<>();
        for (CapturedSet s : c.sets()) {
            if (!s.offered()) {
                continue;
            }
            offered.add(s.name());
            String spec = CaptureSpecs.specText(c, s);
            JsonNode shown = Json.MAPPER.readTree(Cli.run("kernel", "show", spec, "--json").out());
            List<Long> ids = new ArrayList<>();
            shown.get("registers").forEach(n -> ids.add(Long.parseUnsignedLong(n.get("id").asText().substring(2), 16)));
            assertThat(RegSet.of(ids.stream().mapToLong(Long::longValue).toArray())).as(kernel + " " + host + " " + s.name())
                    .isEqualTo(s.regs());
        }
        assertThat(offered).contains("none", "pmu", "pmu+sve", "pmu+pauth", "pmu+sve+pauth");
        if (kernel.equals("7.3")) {
            assertThat(c.set("pmu").orElseThrow().value(dev.regshim.regs.RegId.sysreg(3, 0, 9, 14, 6))).hasValue(0);
        }
        if (host.endsWith("11.1")) {
            assertThat(offered).contains("pmu+mte");
        }
    }

    @Test
    void aVersionDebianDoesNotHaveIsOneLineExitTwoAndNothingWritten(@TempDir Path dir) {
        Path out = dir.resolve("c.json");
        Cli.Run r = Cli.run("kernel", "capture", "5.99", "-o", out.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines().filter(l -> !l.startsWith("regshim: reading") && !l.startsWith("regshim: already")))
                .singleElement().asString().contains("Debian has no arm64 kernel 5.99").contains("series it has: 6.1");
        assertThat(out).doesNotExist();
    }

    @Test
    void aFileThatIsNoKernelIsOneLineExitTwo(@TempDir Path dir) throws Exception {
        Path bogus = dir.resolve("vmlinuz");
        Files.writeString(bogus, "#!/bin/sh\necho not a kernel\n".repeat(10));
        Path out = dir.resolve("c.json");
        Cli.Run r = Cli.run("kernel", "capture", bogus.toString(), "-o", out.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("regshim: " + bogus + ": not an arm64 kernel").doesNotContain("\n");
        assertThat(out).doesNotExist();
    }

    @Test
    void aKernelWithoutKvmIsOneLineExitTwo(@TempDir Path dir) {
        Path out = dir.resolve("c.json");
        Cli.Run r = Cli.run("kernel", "capture", "7.3", "--host", "max@10.0", "--boot-el1", "-o", out.toString());
        assertThat(r.exit()).isEqualTo(2);
        String last = r.err().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertThat(last).contains("the kernel has no KVM (/dev/kvm: ENOENT (2))");
        assertThat(out).doesNotExist();
        try (var left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertThat(left.filter(p -> p.getFileName().toString().startsWith("regshim-capture-"))).isEmpty();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
