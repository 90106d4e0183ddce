package dev.regshim.regs;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegParserTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        // hex IDs
        "0x603000000013c103; 0x603000000013c103",
        "603000000013c103; 0x603000000013c103",
        "0x6030_0000_0013_c103; 0x603000000013c103",
        "0X603000000013C103; 0x603000000013c103",
        // names
        "TCR2_EL1; 0x603000000013c103",
        "tcr2_el1; 0x603000000013c103",
        "KVM_REG_ARM_VENDOR_HYP_BMAP_2; 0x6030000000160003",
        "VENDOR_HYP_BMAP_2; 0x6030000000160003",
        "KVM_REG_ARM_TIMER_CNT; 0x603000000013df1a",
        "core.PC; 0x6030000000100040",
        "core.ELR_EL1; 0x6030000000100046",
        "CCSIDR[2]; 0x6020000000110002",
        "Z0; 0x6080000000150000",
        "SVE_VLS; 0x606000000015ffff",
        "SCTLR; 0x40200000200f0800",
        "SCTLR_S; 0x40200000000f0800",
        "ID_DFR0; 0x40200000200f0082",
        // encodings
        "S3_0_C2_C0_3; 0x603000000013c103",
        "s3_3_c10_c2_4; 0x603000000013dd14",
        "p15 c1 opc1=0 c0 opc2=0; 0x40200000200f0800",
        "p15 c1 opc1=0 c0 opc2=0 (S); 0x40200000000f0800",
        "p15 opc1=0 c2 (64-bit); 0x40300000200f0100",
        // QEMU traces
        "op0:3 op1:0 crn:2 crm:0 op2:3; 0x603000000013c103",
        "fw reg 0; 0x6030000000140000",
        "fw feat reg 3; 0x6030000000160003",
        "system register 0x1013c103; 0x603000000013c103",
        "system register 0x200f0082; 0x40200000200f0082",
        // C expressions
        "ARM64_SYS_REG(3, 0, 2, 0, 3); 0x603000000013c103",
        "ARM64_SYS_REG(3, 0, 2, 0, 3),; 0x603000000013c103",
        "KVM_REG_ARM_FW_FEAT_BMAP_REG(3); 0x6030000000160003",
        "KVM_REG_ARM_FW_REG(1); 0x6030000000140001",
        "SYS_REG(TCR2_EL1); 0x603000000013c103",
        "KVM_ARM64_SYS_REG(SYS_SCTLR2_EL1); 0x603000000013c083",
        "KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(regs.pc); 0x6030000000100040",
        "KVM_REG_ARM64 | KVM_REG_SIZE_U128 | KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(fp_regs.vregs[31]); 0x60400000001000d0",
        "KVM_REG_ARM64_SVE_ZREG(31, 0); 0x60800000001503e0",
        "KVM_REG_ARM64_SVE_PREG(15, 0); 0x60500000001505e0",
        "KVM_REG_ARM64_SVE_FFR(0); 0x6050000000150600",
    })
    void parsesEverySyntaxUsersPaste(String input, String expected) {
        assertThat(RegParser.parse(input).hex()).isEqualTo(expected);
    }

    @Test
    void unknownNamesSuggestCloseMatches() {
        assertThatThrownBy(() -> RegParser.parse("TCR2_EL2X"))
                .isInstanceOf(RegParseException.class)
                .hasMessageContaining("unknown register 'TCR2_EL2X'")
                .hasMessageContaining("did you mean")
                .hasMessageContaining("TCR2_EL2");
        assertThatThrownBy(() -> RegParser.parse("")).isInstanceOf(RegParseException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> RegParser.parse("ARM64_SYS_REG(3, 9, 0, 0, 0)")).isInstanceOf(RegParseException.class)
                .hasMessageContaining("op1");
    }

    @Test
    void ambiguousNamesListTheCandidates() {
        assertThatThrownBy(() -> RegParser.parse("ELR_EL1"))
                .isInstanceOf(RegParseException.class)
                .hasMessageContaining("ambiguous")
                .hasMessageContaining("0x6030000000100046")
                .hasMessageContaining("0x603000000013c201");
    }

    @Test
    void closeMatchesAreRankedByDistance() {
        assertThat(RegParser.closeMatches("PIR_EL", 3)).contains("PIR_EL1");
        assertThat(RegParser.distance("KITTEN", "SITTING", 5)).isEqualTo(3);
        assertThat(RegParser.distance("A", "ABCDEFGH", 2)).isEqualTo(3);
    }
}
