package dev.regshim.cli;

import dev.regshim.testing.QemuTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The progress bar of inspect, check and rewrite: on standard error when the process runs on a terminal (here a
 * pseudo-terminal made by util-linux's {@code script}), silent with {@code -q} and when not on a terminal. The size
 * threshold is lowered so that a small bundled stream counts as long.
 */
class ProgressTest {

    @TempDir
    Path tmp;

    private List<String> java(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Dregshim.progress.min-bytes=0", "-cp", System.getProperty("java.class.path"), "dev.regshim.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs the command on a pseudo-terminal; returns what the terminal showed (stdout and stderr mixed). */
    private String onTerminal(List<String> cmd) throws Exception {
        QemuTestSupport.requireTool("script");
        StringBuilder line = new StringBuilder();
        for (String c : cmd) {
            line.append('\'').append(c.replace("'", "'\\''")).append("' ");
        }
        Path typescript = tmp.resolve("typescript");
        Process p = new ProcessBuilder("script", "-qefc", line.toString(), typescript.toString())
                .redirectInput(ProcessBuilder.Redirect.PIPE).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return "exit " + p.exitValue() + "\n" + out;
    }

    private String offTerminal(List<String> cmd) {
        dev.regshim.testing.Processes.Result r = dev.regshim.testing.Processes.runMerged(null, cmd,
                java.time.Duration.ofSeconds(120));
        return "exit " + r.exit() + "\n" + r.out();
    }

    @Test
    void checkShowsABarOnATerminalOnlyAndNotWithQuiet() throws Exception {
        Path a57 = tmp.resolve("a57.mig");
        Files.write(a57, dev.regshim.stream.Fixtures.stream("qemu-7.2/a57"));
        String shown = onTerminal(java("check", "--from", a57.toString(), "--to", "kernel:6.13"));
        // the bar names the task and the stream's size in MiB; the report follows
        assertThat(shown).contains("check: reading source").contains("100%").contains("MiB").contains("verdict:");
        String quiet = onTerminal(java("check", "-q", "--from", a57.toString(), "--to", "kernel:6.13"));
        assertThat(quiet).contains("verdict:").doesNotContain("check: reading source").doesNotContain("MiB");
        String piped = offTerminal(java("check", "--from", a57.toString(), "--to", "kernel:6.13"));
        assertThat(piped).contains("verdict:").doesNotContain("check: reading source");
        // a stream on both sides: a bar for each
        String both = onTerminal(java("check", "--from", a57.toString(), "--to", a57.toString()));
        assertThat(both).startsWith("exit 0\n").contains("check: reading source").contains("check: reading destination");
    }

    @Test
    void inspectAndRewriteShowTheSameBar() throws Exception {
        Path a57 = tmp.resolve("a57.mig");
        Files.write(a57, dev.regshim.stream.Fixtures.stream("qemu-7.2/a57"));
        assertThat(onTerminal(java("inspect", a57.toString()))).contains("inspect").contains("100%").contains("MiB");
        assertThat(onTerminal(java("inspect", "-q", a57.toString()))).doesNotContain("100%");
        Path out = tmp.resolve("out.mig");
        assertThat(onTerminal(java("rewrite", a57.toString(), out.toString(), "--to", a57.toString())))
                .contains("rewrite").contains("100%");
    }
}
