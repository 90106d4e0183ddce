package dev.regshim.regs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegListReaderTest {

    @Test
    void plainListWithCommentsNamesAndValues() {
        RegListReader.RegList l = RegListReader.readString(String.join("\n",
                "# a comment",
                "TCR2_EL1",
                "",
                "0x603000000013c512   # PIRE0_EL1",
                "PIR_EL1 = 0x1234",
                "KVM_REG_ARM_VENDOR_HYP_BMAP_2 = 3",
                "TCR2_EL1"), "plain");
        assertThat(l.inFileOrder()).extracting(RegId::value).containsExactly(
                0x603000000013c103L, 0x603000000013c512L, 0x603000000013c513L, 0x6030000000160003L);
        assertThat(l.ids().size()).isEqualTo(4);
        assertThat(l.values()).containsEntry(RegId.of(0x603000000013c513L), 0x1234L)
                .containsEntry(RegId.of(0x6030000000160003L), 3L).hasSize(2);
    }

    @Test
    void selftestListOutput() {
        RegListReader.RegList l = RegListReader.readString(String.join("\n",
                "\tARM64_SYS_REG(3, 0, 0, 0, 0),",
                "\tKVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(regs.pc),",
                "\tKVM_REG_ARM_FW_FEAT_BMAP_REG(3),",
                "\t{ ARM64_SYS_REG(3, 0, 2, 0, 3) },"), "selftest");
        assertThat(l.inFileOrder()).extracting(RegId::value).containsExactly(
                0x603000000013c000L, 0x6030000000100040L, 0x6030000000160003L, 0x603000000013c103L);
    }

    @Test
    void qemuTraceAndErrorLines() {
        RegListReader.RegList l = RegListReader.readString(String.join("\n",
                "kvm_arm_cpu_post_load Unexpected register in input stream: 0 0x603000000013c103 op0:3 op1:0 crn:2 crm:0 op2:3",
                "cpu_post_load: register in their list but not ours: op0:3 op1:0 crn:10 crm:2 op2:3",
                "missing fw feat reg 3 on destination",
                "qemu: unexpected system register 0x200f0082"), "trace");
        assertThat(l.inFileOrder()).extracting(RegId::value).containsExactly(
                0x603000000013c103L, 0x603000000013c513L, 0x6030000000160003L, 0x40200000200f0082L);
    }

    @Test
    void badLinesNameTheLine() {
        assertThatThrownBy(() -> RegListReader.readString("TCR2_EL1\nNOT_A_REGISTER_AT_ALL\n", "list.txt"))
                .isInstanceOf(RegParseException.class)
                .hasMessageStartingWith("list.txt:2: ")
                .hasMessageContaining("NOT_A_REGISTER_AT_ALL");
        assertThatThrownBy(() -> RegListReader.readString("TCR2_EL1 = 0xzz\n", "v.txt"))
                .isInstanceOf(RegParseException.class);
    }

    @Test
    void readsFilesAndReportsMissingOnes(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("a.txt");
        Files.writeString(f, "TCR2_EL1\nPIR_EL1\n");
        assertThat(RegListReader.read(f).ids()).isEqualTo(RegSet.of(0x603000000013c103L, 0x603000000013c513L));
        assertThatThrownBy(() -> RegListReader.read(dir.resolve("missing.txt")))
                .isInstanceOf(RegParseException.class).hasMessageContaining("no such file");
    }

    @Test
    void parsesValues() {
        assertThat(RegListReader.parseValue("0x0011_1111")).isEqualTo(0x00111111L);
        assertThat(RegListReader.parseValue("42")).isEqualTo(42L);
        assertThat(RegListReader.parseValue("0xffffffffffffffff")).isEqualTo(-1L);
        assertThatThrownBy(() -> RegListReader.parseValue("0x")).isInstanceOf(RegParseException.class);
    }
}
