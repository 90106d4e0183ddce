package dev.regshim.policy;

import dev.regshim.regs.RegParser;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FieldRulesJudgeTest {

    private static IdChangeJudge.Judgement judge(String reg, long saw, long dst) {
        return FieldRulesJudge.INSTANCE.judge(RegParser.parse(reg), saw, dst);
    }

    @Test
    void pmuEventMapsMayOnlyGainEvents() {
        // max,pmu=off -> max on QEMU 7.2: the guest saw no events, the destination implements some
        assertThat(judge("PMCEID0_EL0", 0, 0x20001).safe()).isTrue();
        assertThat(judge("PMCEID1", 0, 0x10000018).safe()).isTrue();
        assertThat(judge("PMCEID0_EL0", 0x20001, 0x20003).safe()).isTrue();
        IdChangeJudge.Judgement lost = judge("PMCEID0_EL0", 0x20003, 0x20001);
        assertThat(lost.safe()).isFalse();
        assertThat(lost.summary()).contains("removed (0x2)");
        assertThat(judge("PMCEID1_EL0", 0x18, 0x10).safe()).isFalse();
    }

    @Test
    void idFieldsFollowTheKernelRulesAndUnknownLayoutsMustStayEqual() {
        assertThat(judge("ID_AA64DFR0_EL1", 0x10305009L, 0x10305609L).safe()).isTrue();   // PMUVer 0 -> 6
        assertThat(judge("ID_AA64DFR0_EL1", 0x10305609L, 0x10305009L).safe()).isFalse();  // PMUVer 6 -> 0
        assertThat(judge("S3_0_C12_C0_2", 0, 1).safe()).isFalse();
        assertThat(judge("S3_0_C12_C0_2", 1, 1).safe()).isTrue();
    }
}
