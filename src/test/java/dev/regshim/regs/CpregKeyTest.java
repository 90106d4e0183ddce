package dev.regshim.regs;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CpregKeyTest {

    @Test
    void aarch64KeysCarryTheAa64FlagAndTheSysregIndex() {
        RegId tcr2 = RegId.sysreg(3, 0, 2, 0, 3);
        assertThat(CpregKey.of(tcr2)).isEqualTo(0x1013c103);
        assertThat(CpregKey.toKvmId(0x1013c103)).isEqualTo(tcr2);
        assertThat(CpregKey.printedAs(0x1013c103)).containsExactly(tcr2);
    }

    @Test
    void aarch32KeysNameBothBanksBecauseQemuMarksEveryKeyNonSecure() {
        // QEMU 11.1 printed "system register 0x200f3a00" for a 7.2 max stream loaded into cortex-a57 (PAR)
        List<RegId> both = CpregKey.printedAs(0x200f3a00);
        assertThat(both).extracting(id -> RegCatalog.get().name(id)).containsExactly("PAR", "PAR_S");
        assertThat(both).allMatch(id -> CpregKey.of(id) == 0x200f3a00);
        // a key without the NS bit (only in QEMU's own hashtable) names the Secure bank alone
        assertThat(CpregKey.printedAs(0x000f3a00)).extracting(id -> RegCatalog.get().name(id)).containsExactly("PAR_S");
        // 64-bit AArch32 registers: bit 15 on the key, U64 on the ID
        RegId par64 = RegId.aarch32(true, true, 15, 0, 7, 0, 0);
        assertThat(CpregKey.of(par64)).isEqualTo(0x200f8380);
        assertThat(CpregKey.toKvmId(0x200f8380)).isEqualTo(par64);
    }

    @Test
    void keyAndIdConvertBothWaysForEveryCatalogRegister() {
        for (RegId id : RegCatalog.get().sysregTable().keySet()) {
            assertThat(CpregKey.toKvmId(CpregKey.of(id))).as(id.hex()).isEqualTo(id);
        }
        Random r = new Random(12);
        for (int i = 0; i < 2000; i++) {
            RegId id = RegId.aarch32(r.nextBoolean(), true, 14 + r.nextInt(2), 0, r.nextInt(16), r.nextInt(8), 0);
            assertThat(CpregKey.toKvmId(CpregKey.of(id))).isEqualTo(id);
        }
    }

    @Test
    void parserTakesKeysBareQuotedAndInsidePastedLines() {
        assertThat(RegParser.parseAll("0x200f3a00")).extracting(id -> RegCatalog.get().name(id)).containsExactly("PAR", "PAR_S");
        assertThat(RegParser.parseAll("system register 0x1013c103")).containsExactly(RegId.sysreg(3, 0, 2, 0, 3));
        assertThat(RegParser.parse("0x200f3a00").regClass()).isEqualTo(RegClass.AARCH32_CP32);
        assertThat(RegParser.parseAll("qemu-system-aarch64: handle_cpreg_only_in_incoming_stream: system register 0x200f3a00 "
                + "in the incoming stream but unknown on the destination: fail migration"))
                .extracting(id -> RegCatalog.get().name(id)).containsExactly("PAR", "PAR_S");
        assertThat(RegParser.parseAll("warning: handle_cpreg_missing_in_incoming_stream: system register op0:3 op1:0 crn:13 "
                + "crm:0 op2:4 expected by the destination but not in the incoming stream: skip it"))
                .containsExactly(RegId.sysreg(3, 0, 13, 0, 4));
        assertThat(RegParser.parseAll("tolerate_cpreg_only_in_incoming_stream cpreg fw feat reg 3 is in incoming stream"))
                .containsExactly(RegId.fwFeatBmap(3));
        assertThat(RegParser.parseAll("0x603000000013c103")).containsExactly(RegId.sysreg(3, 0, 2, 0, 3));
        assertThatThrownBy(() -> RegParser.parseAll("nothing here")).isInstanceOf(RegParseException.class);
    }
}
