package dev.regshim.kernel.capture;

import dev.regshim.RegshimException;
import dev.regshim.kernel.KernelFeature;
import dev.regshim.util.JsonInput;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CaptureJsonTest {

    static KvmCapture sample() {
        CapturedSet pmu = new CapturedSet("pmu", EnumSet.of(KernelFeature.PMU), null, 5,
                new long[]{0x6030000000100000L, 0x603000000013c4f6L, 0x6040000000100054L, 0x603000000013c03bL},
                new String[]{"0000000000000001", "0000000000000000", "0000000000000000000000000000abcd", "0000000000001111"},
                new int[4], new TreeMap<>(Map.of(9, 0xffffffffL)));
        CapturedSet el2 = CapturedSet.refused("pmu+el2", EnumSet.of(KernelFeature.PMU, KernelFeature.EL2),
                new CapturedSet.Refusal("init", 22));
        return new KvmCapture(new KvmCapture.Kernel("7.3.4+deb13-arm64", "#1 SMP Debian 7.3.4-1", "7.3.4", "debian",
                "linux-binary-7.3.4+deb13-arm64", "7.3.4-1~bpo13+1", "trixie-backports", "ab", Map.of("CONFIG_ARM64_POE", "y")),
                new KvmCapture.Host("11.1.3", "max", "virt,virtualization=on", "0x00000000000f0510"), "console=ttyAMA0",
                Map.of("PMU_V3", 1, "EL2", 0), List.of(pmu, el2));
    }

    @Test
    void roundTripsEveryField() {
        KvmCapture c = sample();
        String text = CaptureJson.write(c, s -> null);
        KvmCapture back = CaptureJson.read(JsonInput.parse(text.getBytes(StandardCharsets.UTF_8), "c.json"));
        assertThat(back).isEqualTo(c);
        assertThat(CaptureJson.write(back, s -> null)).isEqualTo(text);
        assertThat(text).contains("\"id\" : \"0x603000000013c4f6\"", "\"name\" : \"PMMIR_EL1\"", "\"cpreg_list\"");
    }

    @Test
    void refusesWhatItDoesNotUnderstandNamingThePath() {
        String ok = CaptureJson.write(sample(), s -> null);
        assertThatThrownBy(() -> read(ok.replace("\"boot\"", "\"boot2\""))).isInstanceOf(RegshimException.class)
                .hasMessageContaining("c.json: $.boot2: unknown field");
        assertThatThrownBy(() -> read(ok.replace("\"value\" : \"0x0000000000000001\"", "\"value\" : 1")))
                .hasMessageContaining("$.sets[0].registers[0].value: expected a string, got number 1");
        assertThatThrownBy(() -> read(ok.replace("\"value\" : \"0x0000000000000001\"", "\"value\" : \"0x1\"")))
                .hasMessageContaining("expected 16 hex digits for a 64-bit register, got 1");
        assertThatThrownBy(() -> read(ok.replace("\"0x603000000013c4f6\"", "\"0x1603000000013c4f6\"")))
                .hasMessageContaining("does not fit in 64 bits");
        assertThatThrownBy(() -> read(ok.replace("\"features\" : [ \"pmu\" ]", "\"features\" : [ \"tcr2\" ]")))
                .hasMessageContaining("not a vCPU feature: 'tcr2'");
        assertThatThrownBy(() -> read(ok.replace("regshim-kvm-capture/1", "regshim-kvm-capture/9")))
                .hasMessageContaining("expected 'regshim-kvm-capture/1'");
        assertThatThrownBy(() -> read("\ufeff" + ok)).hasMessageContaining("byte-order mark");
        assertThatThrownBy(() -> read("{\"format\": 1, \"format\": 2}")).hasMessageContaining("not valid JSON")
                .hasMessageContaining("Duplicate");
    }

    private static KvmCapture read(String text) {
        return CaptureJson.read(JsonInput.parse(text.getBytes(StandardCharsets.UTF_8), "c.json"));
    }
}
