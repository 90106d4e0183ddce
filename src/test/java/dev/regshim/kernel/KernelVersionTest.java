package dev.regshim.kernel;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KernelVersionTest {

    @Test
    void knowsTheReadAndInferredVersionsInOrder() {
        List<String> all = KernelVersion.known().stream().map(KernelVersion::toString).collect(Collectors.toList());
        assertThat(all).containsExactly("6.1", "6.6", "6.8", "6.10", "6.12", "6.13", "6.14", "6.15", "6.16", "6.17", "6.18",
                "6.19", "7.0", "7.1", "7.2", "7.3");
        assertThat(KernelVersion.known().stream().filter(KernelVersion::inferred).map(KernelVersion::toString))
                .containsExactly("6.15");
        assertThat(KernelVersion.known().stream().filter(v -> v.kind() == KernelVersion.Source.DERIVED)
                .map(KernelVersion::toString)).containsExactly("6.16", "6.19", "7.0", "7.1", "7.2", "7.3");
        assertThat(KernelVersion.parse("6.16").tableVersion()).isEqualTo("6.14");
        assertThat(KernelVersion.parse("6.16").deltas()).containsExactly("6.16");
        assertThat(KernelVersion.parse("7.3").tableVersion()).isEqualTo("6.18");
        assertThat(KernelVersion.parse("7.3").deltas()).containsExactly("7.3");
        assertThat(KernelVersion.parse("7.2").deltas()).isEmpty();
        assertThat(KernelVersion.parse("6.15").label()).isEqualTo("6.15 (inferred)");
        assertThat(KernelVersion.parse("6.13").label()).isEqualTo("6.13");
        assertThat(KernelVersion.parse("6.15").tableVersion()).isEqualTo("6.14");
        assertThat(KernelVersion.parse("6.15").previousRead()).isEqualTo(KernelVersion.parse("6.14"));
        assertThat(KernelVersion.parse("6.15").nextRead()).as("derived 6.16 is not a tree").isEqualTo(KernelVersion.parse("6.17"));
    }

    @Test
    void parsesCommonSpellings() {
        KernelVersion v = KernelVersion.parse("6.13");
        assertThat(KernelVersion.parse("v6.13")).isEqualTo(v);
        assertThat(KernelVersion.parse(" V6.13 ")).isEqualTo(v);
        assertThat(KernelVersion.parse("6.13.7")).isEqualTo(v);
        assertThat(KernelVersion.parse("6.10").compareTo(KernelVersion.parse("6.8"))).isPositive();
        assertThat(KernelVersion.parse("6.10").atLeast(6, 3)).isTrue();
        assertThat(KernelVersion.parse("6.1").atLeast(6, 3)).isFalse();
    }

    @Test
    void rejectsUnknownVersionsListingTheKnownOnes() {
        assertThatThrownBy(() -> KernelVersion.parse("6.11")).isInstanceOf(KernelSpecException.class)
                .hasMessageContaining("unknown kernel version '6.11'").hasMessageContaining("6.15 (inferred)");
        assertThatThrownBy(() -> KernelVersion.parse("latest")).isInstanceOf(KernelSpecException.class)
                .hasMessageContaining("bad kernel version");
    }
}
