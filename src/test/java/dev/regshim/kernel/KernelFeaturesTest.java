package dev.regshim.kernel;

import org.junit.jupiter.api.Test;

import static dev.regshim.kernel.KernelFeature.E2H0;
import static dev.regshim.kernel.KernelFeature.EL2;
import static dev.regshim.kernel.KernelFeature.FGT;
import static dev.regshim.kernel.KernelFeature.FGT2;
import static dev.regshim.kernel.KernelFeature.PAUTH;
import static dev.regshim.kernel.KernelFeature.PMU;
import static dev.regshim.kernel.KernelFeature.SVE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KernelFeaturesTest {

    @Test
    void defaultIsPmuOnlyWithTheDefaultClidr() {
        KernelFeatures d = KernelFeatures.defaults();
        assertThat(d.enabled()).containsExactly(PMU);
        assertThat(d.hostClidr()).isEqualTo(KernelFeatures.DEFAULT_HOST_CLIDR);
        assertThat(KernelFeatures.parse("")).isEqualTo(d);
        assertThat(d.suffix()).isEqualTo("+pmu");
    }

    @Test
    void modifiersApplyLeftToRight() {
        assertThat(KernelFeatures.parse("+sve-pmu").enabled()).containsExactly(SVE);
        assertThat(KernelFeatures.parse("+pmu+sve-pauth").enabled()).containsExactlyInAnyOrder(PMU, SVE);
        assertThat(KernelFeatures.parse("+pauth-pauth+PAUTH").enabled()).containsExactlyInAnyOrder(PMU, PAUTH);
        assertThat(KernelFeatures.parse("+nv").has(EL2)).as("nv is an alias of el2").isTrue();
        assertThat(KernelFeatures.parse("-pmu").enabled()).isEmpty();
    }

    @Test
    void implicationsFollowKvm() {
        assertThat(KernelFeatures.parse("+e2h0").enabled()).contains(E2H0, EL2);
        assertThat(KernelFeatures.parse("+e2h0-el2").enabled()).doesNotContain(E2H0, EL2);
        assertThat(KernelFeatures.parse("+fgt2").enabled()).contains(FGT, FGT2);
        assertThat(KernelFeatures.parse("+fgt2-fgt").enabled()).doesNotContain(FGT, FGT2);
        assertThat(KernelFeatures.of(E2H0).enabled()).containsExactlyInAnyOrder(EL2, E2H0);
    }

    @Test
    void hostClidr() {
        assertThat(KernelFeatures.parse("+clidr=0x23").hostClidr()).isEqualTo(0x23);
        assertThat(KernelFeatures.parse("+clidr=0").suffix()).isEqualTo("+pmu+clidr=0x0");
        assertThatThrownBy(() -> KernelFeatures.parse("+clidr=zz")).isInstanceOf(KernelSpecException.class)
                .hasMessageContaining("CLIDR");
        assertThatThrownBy(() -> KernelFeatures.parse("-clidr=0x23")).isInstanceOf(KernelSpecException.class);
    }

    @Test
    void unknownFeaturesListTheValidOnes() {
        assertThatThrownBy(() -> KernelFeatures.parse("+sme")).isInstanceOf(KernelSpecException.class)
                .hasMessageContaining("unknown kernel feature 'sme'")
                .hasMessageContaining("pmu, sve, pauth, mte, el2 (alias nv), e2h0, tcr2, s1pie, s1poe, sctlr2, fpmr");
        assertThatThrownBy(() -> KernelFeatures.parse("sve")).isInstanceOf(KernelSpecException.class)
                .hasMessageContaining("+name or -name");
    }

    @Test
    void suffixRoundTrips() {
        KernelFeatures f = KernelFeatures.parse("+sve+pauth-pmu+tcr2+clidr=0x23");
        assertThat(f.suffix()).isEqualTo("+sve+pauth+tcr2+clidr=0x23");
        assertThat(KernelFeatures.parseAbsolute(f.suffix())).isEqualTo(f);
        assertThat(f.with(PMU).without(SVE).suffix()).isEqualTo("+pmu+pauth+tcr2+clidr=0x23");
    }

    @Test
    void hostSpecs() {
        KernelHost h = KernelHost.parse("6.13+pmu+sve-pauth");
        assertThat(h.version()).isEqualTo(KernelVersion.parse("6.13"));
        assertThat(h.features().enabled()).containsExactlyInAnyOrder(PMU, SVE);
        assertThat(h.spec()).isEqualTo("6.13+pmu+sve");
        assertThat(KernelHost.parse("v6.15").inferred()).isTrue();
        assertThat(KernelHost.parse("6.18+e2h0").spec()).isEqualTo("6.18+pmu+el2+e2h0");
        assertThatThrownBy(() -> KernelHost.parse("6.14+e2h0")).isInstanceOf(KernelSpecException.class)
                .hasMessageContaining("before 6.15");
        assertThatThrownBy(() -> KernelHost.parse("  ")).isInstanceOf(KernelSpecException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> KernelHost.parse("+sve")).isInstanceOf(KernelSpecException.class);
    }
}
