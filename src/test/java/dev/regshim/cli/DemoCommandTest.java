package dev.regshim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DemoCommandTest {

    @Test
    void tellsTheSeedStory() {
        Cli.Run r = Cli.run("demo");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).containsPattern("6\\.12 \u2192 6\\.13 +FAILS: TCR2_EL1, PIRE0_EL1, PIR_EL1")
                .containsPattern("6\\.12 \u2192 6\\.17 +FAILS: TCR2_EL1, PIRE0_EL1, PIR_EL1")
                .containsPattern("6\\.13 \u2192 6\\.12 +loads")
                .containsPattern("6\\.13 \u2192 6\\.17 +loads")
                .containsPattern("6\\.17 \u2192 6\\.12 +FAILS: KVM_REG_ARM_VENDOR_HYP_BMAP_2")
                .containsPattern("6\\.17 \u2192 6\\.13 +FAILS: KVM_REG_ARM_VENDOR_HYP_BMAP_2")
                .contains("4 of 6 directions fail.")
                .contains("missing on 6.13: listed only when vm.ID_AA64MMFR3_EL1.TCRX>=IMP (tcr2_visibility)");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void json() throws Exception {
        JsonNode j = Json.MAPPER.readTree(Cli.run("demo", "--json").out());
        assertThat(j.get("hosts")).hasSize(3);
        assertThat(j.get("migrations")).hasSize(6);
        JsonNode first = j.get("migrations").get(0);
        assertThat(first.get("source").asText()).isEqualTo("6.12+pmu");
        assertThat(first.get("loads").asBoolean()).isFalse();
        assertThat(first.get("blockers").get(0).get("name").asText()).isEqualTo("TCR2_EL1");
    }
}
