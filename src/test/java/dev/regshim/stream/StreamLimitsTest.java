package dev.regshim.stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every input bound in one object: the defaults, the copy, and the refusal of limits that cannot read a stream. */
class StreamLimitsTest {

    @Test
    void defaults() {
        StreamLimits d = StreamLimits.defaults();
        assertThat(d.maxTokenBytes()).isEqualTo(128 << 10);
        assertThat(d.maxCapabilities()).isEqualTo(64);
        assertThat(d.maxHeadBytes()).isEqualTo(1 << 20);
        assertThat(d.maxVmdescNesting()).isEqualTo(8 * 4 + 16);
        assertThat(d.maxVmdescStringLength()).isEqualTo(1024);
        assertThat(d.maxVmdescNumberLength()).isEqualTo(40);
    }

    @Test
    void toBuilderKeepsEveryLimit() {
        StreamLimits l = StreamLimits.builder().maxTokenBytes(200_000).maxCapabilities(3).maxHeadBytes(4096)
                .maxNameLength(300).build();
        assertThat(l.toBuilder().build().toString()).isEqualTo(l.toString());
        assertThat(l.maxVmdescStringLength()).isEqualTo(1200);
    }

    @Test
    void aTokenLimitThatCannotHoldAValidRecordIsRefused() {
        assertThatThrownBy(() -> StreamLimits.builder().maxTokenBytes(65_539).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxTokenBytes 65539 cannot hold the largest record the other limits allow (65540 bytes)");
        assertThatThrownBy(() -> StreamLimits.builder().maxCapabilities(1000).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxTokenBytes 131072");
        assertThatThrownBy(() -> StreamLimits.builder().maxHeadBytes(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxHeadBytes must be positive, got 0");
    }
}
