package dev.regshim.proxy;

import dev.regshim.policy.Policy;
import dev.regshim.stream.ReadOptions;
import dev.regshim.stream.StreamReader;
import dev.regshim.stream.StreamSummary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class WarmupTest {

    @TempDir
    Path tmp;

    @Test
    void theSyntheticStreamIsAValidRamOnlyStreamAndRelaysWhole() throws Exception {
        byte[] s = Warmup.stream();
        Path f = tmp.resolve("warm.mig");
        Files.write(f, s);
        StreamSummary sum = StreamReader.summarize(f, ReadOptions.defaults());
        assertThat(sum.dataPages()).isEqualTo(1792);
        assertThat(sum.zeroPages()).isEqualTo(256);
        assertThat(sum.cpus()).isEmpty();
        var o = ProxyTesting.options(ProxyTesting.profile(ProxyTesting.fixture(tmp, "gen-max")), Policy.STRICT);
        ProxyOptions p = ProxyTesting.proxyOptions(1, o);
        assertThat(Warmup.run(o, p)).isEqualTo(10L * s.length);
    }
}
