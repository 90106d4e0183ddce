package dev.regshim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.regshim.stream.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --to-qemu} and the release inferred from a destination stream, on one guest (-M virt-7.2 -cpu cortex-a57)
 * saved by QEMU 7.2, 10.0 and 11.1 (the lines asserted here are what those releases printed; the whole matrix runs
 * against real QEMU in CrossReleaseFidelityTest).
 */
class ToQemuCliTest {

    @TempDir
    static Path dir;
    static String q72;
    static String q10;
    static String q11;

    @BeforeAll
    static void files() throws Exception {
        q72 = write("qemu-7.2/virt72-a57", "72.mig");
        q10 = write("qemu-10.0/virt72-a57", "10.mig");
        q11 = write("qemu-11.1/virt72-a57", "11.mig");
    }

    static String write(String fixture, String name) throws Exception {
        Path f = dir.resolve(name);
        Files.write(f, Fixtures.stream(fixture));
        return f.toString();
    }

    static final String ABORT = "qemu-system-aarch64: migration/vmstate.c:172: vmstate_load_state: Assertion "
            + "`first_elem || !n_elems || !size' failed.";

    @Test
    void qemu10AbortsOn111sWfxtTimerWithOrWithoutToQemu() {
        for (String[] extra : new String[][] {{}, {"--to-qemu", "10.0"}}) {
            String[] all = concat(new String[] {"check", "--from", q11, "--to", q10}, extra);
            Cli.Run r = Cli.run(all);
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.out()).contains(ABORT).contains("exit status 134");
        }
    }

    @Test
    void theReleaseInferredFromTheStreamIsSaidWithItsAmbiguity() {
        Cli.Run r = Cli.run("check", "--from", q11, "--to", q10);
        assertThat(r.out()).contains("QEMU 10.0 assumed").contains("9.0..11.0").contains("--to-qemu");
        Cli.Run to11 = Cli.run("check", "--from", q10, "--to", q11);
        assertThat(to11.out()).contains("proven by the destination stream").contains("qemu-11.1")
                .contains("qemu-system-aarch64: warning: Machine type 'virt-7.2' is deprecated")
                .contains("handle_cpreg_only_in_incoming_stream: system register 0x1013c030 in the incoming stream but "
                        + "unknown on the destination: fail migration");
    }

    @Test
    void qemu72RefusesTheUnknownSubsectionWithEnoentOnceTheLengthFits() throws Exception {
        // 10.0's a57 list is longer than 7.2's: the length check fails first, as 7.2 prints it
        Cli.Run r = Cli.run("check", "--from", q10, "--to", q72);
        assertThat(r.out()).contains("Invalid value 275 expecting positive value <= 258")
                .contains("QEMU 7.2..8.2 (proven by the destination stream)");
    }

    @Test
    void toQemuDecidesTheDialectAndWarnsWhenTheStreamSaysOtherwise() throws Exception {
        Cli.Run r = Cli.run("check", "--from", q10, "--to", q11, "--to-qemu", "10.0");
        assertThat(r.out()).contains("warning: --to-qemu 10.0 but the destination stream was written by QEMU >=11.1")
                .contains("Invalid value 275 expecting positive value <= 274")
                .doesNotContain("handle_cpreg");
        Cli.Run json = Cli.run("check", "--from", q11, "--to", q10, "--to-qemu", "10.0", "--json");
        JsonNode n = new ObjectMapper().readTree(json.out());
        assertThat(n.path("qemu_release").asText()).isEqualTo("10.0");
        assertThat(n.path("qemu_release_source").asText()).isEqualTo("given");
        assertThat(n.path("qemu_exit_status").asInt()).isEqualTo(134);
        Cli.Run later = Cli.run("check", "--from", q10, "--to", q11, "--to-qemu", "12.0");
        assertThat(later.out()).contains("newer than any observed release: modelled as 11.1");
    }

    @Test
    void aBadReleaseIsAOneLineInputError() {
        Cli.Run r = Cli.run("check", "--from", q10, "--to", q11, "--to-qemu", "eleven");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).contains("--to-qemu: 'eleven' is not a QEMU release").doesNotContain("\n");
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
