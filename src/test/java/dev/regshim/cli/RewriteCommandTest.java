package dev.regshim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.regshim.stream.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code regshim rewrite} on real 7.2 fixtures (no QEMU run): exit codes, messages, report, verification modes. */
class RewriteCommandTest {

    @TempDir
    Path tmp;

    private Path fixture(String name) throws IOException {
        Path p = tmp.resolve(name.replace('/', '_') + ".mig");
        if (!Files.exists(p)) {
            Files.write(p, Fixtures.stream(name));
        }
        return p;
    }

    @Test
    void rewritesAndSaysHowItVerified() throws IOException {
        Path out = tmp.resolve("out.mig");
        Cli.Run r = Cli.run("rewrite", fixture("qemu-7.2/gen-max_nopauth").toString(), out.toString(),
                "--to", fixture("qemu-7.2/gen-max").toString(), "--verify", "bytes");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("unmodified:  FAILS: error while loading state for instance 0x0 of device 'cpu'")
                .contains("cpu 0: 294 -> 304 registers")
                .contains("changed  ID_AA64ISAR1_EL1")
                .contains("compared byte for byte with the input's")
                .contains("(501045 bytes, RAM copied by the kernel)");
        assertThat(Files.size(out)).isEqualTo(501045);
    }

    @Test
    void refusalExitsOneWritesTheReportAndNoOutput() throws IOException {
        Path out = tmp.resolve("out.mig");
        Path report = tmp.resolve("r.json");
        Cli.Run r = Cli.run("rewrite", fixture("qemu-7.2/gen-max").toString(), out.toString(),
                "--to", fixture("qemu-7.2/gen-max_nopauth").toString(), "--report", report.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("regshim: refused: ID_AA64ISAR1_EL1")
                .endsWith("and 10 more registers would lose guest state; nothing written")
                .doesNotContain("\n").doesNotContain("Exception");
        assertThat(out).doesNotExist();
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertThat(json.path("written").asBoolean()).isFalse();
        assertThat(json.path("vcpus").get(0).path("refusals")).hasSize(11);
        assertThat(json.has("method")).isFalse();
    }

    @Test
    void badInputIsOneLineExitTwo() throws IOException {
        Path dst = fixture("qemu-7.2/gen-max");
        Path out = tmp.resolve("out.mig");
        Cli.Run missing = Cli.run("rewrite", tmp.resolve("nope.mig").toString(), out.toString(), "--to", dst.toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).startsWith("regshim: ").contains("nope.mig");

        byte[] max = Fixtures.stream("qemu-7.2/gen-max");
        Path cut = tmp.resolve("cut.mig");
        Files.write(cut, Arrays.copyOf(max, max.length / 2));
        Cli.Run truncated = Cli.run("rewrite", cut.toString(), out.toString(), "--to", dst.toString());
        assertThat(truncated.exit()).isEqualTo(2);
        assertThat(truncated.err().strip()).startsWith("regshim: ").contains("offset").doesNotContain("\n\tat ");

        Path junk = tmp.resolve("junk.mig");
        Files.write(junk, "QEVM this is not a stream".getBytes());
        Cli.Run bad = Cli.run("rewrite", junk.toString(), out.toString(), "--to", dst.toString());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(out).doesNotExist();

        Cli.Run verify = Cli.run("rewrite", dst.toString(), out.toString(), "--to", dst.toString(), "--verify", "maybe");
        assertThat(verify.exit()).isEqualTo(2);
        assertThat(verify.err()).contains("unknown verification 'maybe'");
    }

    @Test
    void damagedInputNeverEndsInAStackTrace() throws IOException {
        byte[] good = Fixtures.stream("qemu-7.2/gen-max_nopauth");
        Path dst = fixture("qemu-7.2/gen-max");
        java.util.Random rnd = new java.util.Random(7);
        Path in = tmp.resolve("mutant.mig");
        Path out = tmp.resolve("mutant-out.mig");
        java.util.Map<Integer, Integer> exits = new java.util.TreeMap<>();
        for (int i = 0; i < 60; i++) {
            byte[] b = good.clone();
            int at = rnd.nextInt(3) == 0 ? rnd.nextInt(b.length) : b.length - 1 - rnd.nextInt(40_000);
            b[at] = (byte) rnd.nextInt(256);
            Files.write(in, b);
            Files.deleteIfExists(out);
            Cli.Run r = Cli.run("rewrite", in.toString(), out.toString(), "--to", dst.toString());
            exits.merge(r.exit(), 1, Integer::sum);
            assertThat(r.exit()).as(r.err()).isIn(0, 1, 2);
            assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
            if (r.exit() != 0) {
                assertThat(out).doesNotExist();
                assertThat(r.err().strip()).startsWith("regshim: ");
            }
        }
        assertThat(exits).containsKey(0).containsKey(2);
    }
}
