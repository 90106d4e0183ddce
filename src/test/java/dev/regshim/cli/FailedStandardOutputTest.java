package dev.regshim.cli;

import dev.regshim.stream.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A full standard output ({@code > /dev/full}) never exits 0, and is said once. */
class FailedStandardOutputTest {

    private record Run(int exit, String err) {
    }

    private static Run withFullStdout(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        OutputStream full = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }
        };
        try {
            System.setOut(new PrintStream(full, true));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            int exit = Main.execute(args);
            return new Run(exit, errBytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void aCommandThatPrintsFailsWithTheReason() {
        Run r = withFullStdout("regs", "parse", "SCTLR_EL1");
        assertThat(r.exit()).isEqualTo(2);
        // a replaced System.out (a PrintStream) keeps only that a write failed; the process's own says why (ENOSPC)
        assertThat(r.err()).startsWith("regshim: cannot write standard output: ").hasLineCount(1);
    }

    @Test
    void aRewriteToAFullStdoutSaysSoOnce(@TempDir Path dir) throws IOException {
        Path in = Files.write(dir.resolve("a57.mig"), Fixtures.stream("qemu-7.2/a57"));
        Run r = withFullStdout("rewrite", "-q", in.toString(), "-", "--to", in.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines().filter(l -> l.startsWith("regshim:")))
                .singleElement().satisfies(l -> assertThat(l).startsWith("regshim: cannot write the rewritten stream"));
    }
}
