package dev.regshim.cpreg;

import dev.regshim.RegshimException;
import dev.regshim.profile.Profile;
import dev.regshim.profile.source.StreamProfiles;
import dev.regshim.stream.Fixtures;
import dev.regshim.stream.ReadOptions;
import dev.regshim.stream.StreamReader;
import dev.regshim.stream.StreamSummary;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SemanticsTest {

    @Test
    void autoPicksTheTolerancesFromQemu111On() {
        assertThat(Semantics.forQemu("11.1.3")).isEqualTo(Semantics.QEMU_11_1);
        assertThat(Semantics.forQemu(">=11.1")).isEqualTo(Semantics.QEMU_11_1);
        assertThat(Semantics.forQemu("12.0.0")).isEqualTo(Semantics.QEMU_11_1);
        assertThat(Semantics.forQemu("11.0.2")).isEqualTo(Semantics.QEMU_STOCK);
        assertThat(Semantics.forQemu(">=10.0")).isEqualTo(Semantics.QEMU_STOCK);
        assertThat(Semantics.forQemu("7.2.22")).isEqualTo(Semantics.QEMU_STOCK);
        assertThat(Semantics.forQemu(null)).isEqualTo(Semantics.QEMU_STOCK);
        assertThat(Semantics.forQemu("unknown")).isEqualTo(Semantics.QEMU_STOCK);
        assertThat(Semantics.resolve("auto", "11.1.3")).isEqualTo(Semantics.QEMU_11_1);
        assertThat(Semantics.resolve("series-v2", "11.1.3")).isEqualTo(Semantics.SERIES_V2);
        assertThat(Semantics.autoReason("11.1.3")).isEqualTo("auto: QEMU 11.1 (recorded by the destination's capture)");
        assertThat(Semantics.autoReason(">=10.0")).contains("assumed").contains("destination stream").contains("--to-qemu");
        assertThat(Semantics.autoReason(null)).contains("unknown");
        assertThatThrownBy(() -> Semantics.resolve("qemu-12", "11.1.3")).isInstanceOf(RegshimException.class)
                .hasMessageContaining("choose one of");
    }

    @Test
    void aStreamsMachineTypeBoundsItsQemu() {
        assertThat(version("qemu-11.1/max")).isEqualTo(">=11.1");
        // 10.0 declares the cpreg length checked ("int32 le"): at most 11.0; 7.2 writes no vmdesc configuration: before 9.0
        assertThat(version("qemu-10.0/max")).isEqualTo("10.0..11.0");
        assertThat(version("qemu-7.2/max")).isEqualTo("7.2..8.2");
        assertThat(Semantics.forQemu(version("qemu-11.1/a57"))).isEqualTo(Semantics.QEMU_11_1);
        assertThat(Semantics.forQemu(version("qemu-10.0/a57"))).isEqualTo(Semantics.QEMU_STOCK);
    }

    private static String version(String fixture) {
        try {
            StreamSummary s = StreamReader.summarize(new ByteArrayInputStream(Fixtures.stream(fixture)),
                    ReadOptions.defaults());
            Profile p = StreamProfiles.fromSummary(s, fixture, "stream");
            return p.provenance().qemuVersion();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
