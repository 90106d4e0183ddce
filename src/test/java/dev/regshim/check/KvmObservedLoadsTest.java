package dev.regshim.check;

import com.fasterxml.jackson.databind.JsonNode;
import dev.regshim.cli.Cli;
import dev.regshim.cli.Json;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.XZInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Loads seen on real KVM (regshim lab, QEMU 11.1.3 in real Debian kernels), replayed: for each, the stream the
 * destination was given, the destination kernel's capture, and what its QEMU printed and did
 * (src/test/resources/kvm-observed/observations.json, with how each stream was made). {@code check} must predict
 * the verdict and every line exactly. Among them the 11.1 merge's rule, found with edited streams: the load's fate is
 * that of the last register only the stream has, so a tolerated one after an unknown one lets the load go on
 * (the unknown values dropped), and a failed merge skips the post_load's write to KVM (a refused value is named once,
 * not twice).
 */
class KvmObservedLoadsTest {

    private static final String ROOT = "/kvm-observed/";

    @TestFactory
    List<DynamicTest> checkPredictsEachObservedLoadExactly(@TempDir Path dir) throws IOException {
        JsonNode observations = Json.MAPPER.readTree(resource("observations.json"));
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode o : observations) {
            String name = o.get("name").asText();
            tests.add(DynamicTest.dynamicTest(name + ": " + o.get("how").asText(), () -> {
                Path stream = unxz(dir, o.get("stream").asText());
                Path capture = unxz(dir, o.get("capture").asText());
                Cli.Run r = Cli.run("check", "--from", stream.toString(), "--to", capture.toString(), "--to-qemu",
                        o.get("qemu").asText(), "--json");
                JsonNode observed = o.get("observed");
                assertThat(r.exit()).as(r.err()).isEqualTo(observed.get("loads").asBoolean() ? 0 : 1);
                JsonNode predicted = Json.MAPPER.readTree(r.out());
                assertThat(predicted.get("loads").asBoolean()).isEqualTo(observed.get("loads").asBoolean());
                assertThat(texts(predicted.get("qemu_lines"))).containsExactlyElementsOf(texts(observed.get("qemu_lines")));
            }));
        }
        assertThat(tests).hasSizeGreaterThanOrEqualTo(11);
        return tests;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = KvmObservedLoadsTest.class.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + ROOT + name);
            }
            return in.readAllBytes();
        }
    }

    private static Path unxz(Path dir, String name) {
        Path out = dir.resolve(name.replace('/', '_').replaceFirst("\\.xz$", ""));
        if (Files.exists(out)) {
            return out;
        }
        try (InputStream in = new XZInputStream(new java.io.ByteArrayInputStream(resource(name)))) {
            Files.write(out, in.readAllBytes());
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
