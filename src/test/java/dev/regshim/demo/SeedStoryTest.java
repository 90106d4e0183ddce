package dev.regshim.demo;

import dev.regshim.kernel.KernelHost;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegSet;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class SeedStoryTest {

    private static Map<String, List<String>> byPair(SeedStory.Result r) {
        return r.migrations().stream().collect(Collectors.toMap(
                m -> m.source().version() + "->" + m.destination().version(),
                m -> m.blockers().stream().map(SeedStory.Blocker::name).collect(Collectors.toList())));
    }

    @Test
    void everyOrderedPairUnderStockQemu() {
        SeedStory.Result r = SeedStory.run();
        assertThat(r.hosts()).extracting(h -> h.spec()).containsExactly("6.12+pmu", "6.13+pmu", "6.17+pmu");
        assertThat(r.migrations()).hasSize(6);
        Map<String, List<String>> p = byPair(r);
        List<String> tcr2pie = List.of("TCR2_EL1", "PIRE0_EL1", "PIR_EL1");
        assertThat(p).containsEntry("6.12->6.13", tcr2pie)
                .containsEntry("6.12->6.17", tcr2pie)
                .containsEntry("6.13->6.12", List.of())
                .containsEntry("6.13->6.17", List.of())
                .containsEntry("6.17->6.12", List.of("KVM_REG_ARM_VENDOR_HYP_BMAP_2"))
                .containsEntry("6.17->6.13", List.of("KVM_REG_ARM_VENDOR_HYP_BMAP_2"));
        assertThat(r.failures()).hasSize(4);
        assertThat(r.blockersByRegister().keySet()).extracting(RegId::value)
                .containsExactly(0x603000000013c103L, 0x603000000013c512L, 0x603000000013c513L, 0x6030000000160003L);
    }

    @Test
    void blockersCarryBothSidesReasons() {
        SeedStory.Migration m = SeedStory.run().migrations().get(0); // 6.12 -> 6.13
        SeedStory.Blocker tcr2 = m.blockers().get(0);
        assertThat(tcr2.sourceWhy()).isEqualTo("sys_reg_descs: always");
        assertThat(tcr2.destinationWhy()).contains("tcr2_visibility").contains("+tcr2");
    }

    @Test
    void theRuleCanBeSwapped() {
        // a check that tolerates everything turns every pair into a load
        SeedStory.Result r = SeedStory.run(List.of(KernelHost.parse("6.12"), KernelHost.parse("6.13")), "tolerant",
                (src, dst) -> RegSet.empty());
        assertThat(r.migrations()).hasSize(2).allMatch(SeedStory.Migration::loads);
        assertThat(r.rule()).isEqualTo("tolerant");
    }
}
