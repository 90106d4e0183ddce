package dev.regshim.proxy;

import dev.regshim.policy.Policy;
import dev.regshim.policy.RewriteOptions;
import dev.regshim.rewrite.StreamRewriter;
import dev.regshim.stream.CpuSection;
import dev.regshim.stream.ReadOptions;
import dev.regshim.stream.StreamReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The independent re-read of what goes to the destination: it passes exactly the planned output, nothing else. */
class OutputAuditTest {

    @TempDir
    Path tmp;

    private LiveRewrite planned(RewriteOptions o, Path source) throws Exception {
        LiveRewrite live = new LiveRewrite(o, v -> { });
        CpuSection cpu = StreamReader.summarize(source, ReadOptions.defaults()).cpus().get(0);
        live.onCpuSection(cpu);
        return live;
    }

    @Test
    void passesThePlannedOutputAndSaysWhereToHoldBack() throws Exception {
        RewriteOptions o = ProxyTesting.options(ProxyTesting.profile(ProxyTesting.fixture(tmp, "gen-max")), Policy.STRICT);
        Path source = ProxyTesting.fixture(tmp, "gen-max_nopauth");
        Path out = tmp.resolve("out.mig");
        assertThat(StreamRewriter.rewrite(source, out, o).written()).isTrue();
        byte[] bytes = Files.readAllBytes(out);
        OutputAudit audit = new OutputAudit(planned(o, source), ProxyOptions.defaultLimits());
        for (int p = 0; p < bytes.length; p += 1000) {
            audit.feed(bytes, p, Math.min(1000, bytes.length - p));
            assertThat(audit.complete()).isEqualTo(p + 1000 >= bytes.length);
        }
        assertThat(audit.holdFrom()).isEqualTo(StreamEdits.ramEnd(bytes));
        assertThat(audit.checks()).hasSize(3);
        assertThat(audit.machineType()).startsWith("virt");
    }

    @Test
    void refusesArraysThatAreNotThePlans() throws Exception {
        RewriteOptions o = ProxyTesting.options(ProxyTesting.profile(ProxyTesting.fixture(tmp, "gen-max")), Policy.STRICT);
        Path source = ProxyTesting.fixture(tmp, "gen-max_nopauth");
        byte[] unrewritten = Files.readAllBytes(source);
        OutputAudit audit = new OutputAudit(planned(o, source), ProxyOptions.defaultLimits());
        assertThatThrownBy(() -> audit.feed(unrewritten, 0, unrewritten.length))
                .isInstanceOf(ProxyException.class)
                .hasMessage("verification failed: cpu 0: the arrays in the output differ from the plan at index 210 "
                        + "(AFSR0_EL1 vs APIAKEYLO_EL1); nothing more is sent");
        assertThat(audit.complete()).isFalse();
    }

    @Test
    void refusesACpuThatWasNeverPlanned() throws Exception {
        RewriteOptions o = ProxyTesting.options(ProxyTesting.profile(ProxyTesting.fixture(tmp, "gen-max")), Policy.STRICT);
        byte[] other = Files.readAllBytes(ProxyTesting.fixture(tmp, "gen-max"));
        OutputAudit audit = new OutputAudit(new LiveRewrite(o, v -> { }), ProxyOptions.defaultLimits());
        assertThatThrownBy(() -> audit.feed(other, 0, other.length))
                .hasMessage("verification failed: cpu 0 is in the output but was never planned; nothing more is sent");
    }
}
