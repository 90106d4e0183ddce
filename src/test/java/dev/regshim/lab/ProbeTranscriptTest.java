package dev.regshim.lab;

import dev.regshim.kernel.KernelFeature;
import dev.regshim.kernel.capture.CapturedSet;
import dev.regshim.regs.RegId;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;

class ProbeTranscriptTest {

    private static final Map<String, Set<KernelFeature>> SETS = new LinkedHashMap<>();

    static {
        SETS.put("pmu", EnumSet.of(KernelFeature.PMU));
        SETS.put("pmu+el2", EnumSet.of(KernelFeature.PMU, KernelFeature.EL2));
    }

    /** What kvm-probe.c prints for one set with these register lines. */
    static List<String> set(String name, List<String> regLines, boolean garble) {
        CRC32 crc = new CRC32();
        regLines.forEach(l -> crc.update(l.getBytes(StandardCharsets.US_ASCII)));
        List<String> out = new ArrayList<>();
        out.add("@@ set " + name + " begin c 0");
        out.add("@@ target 5");
        for (String l : regLines) {
            out.add("@@ " + (garble ? l.replace("0000000000000000", "00000000[  1.2] kvm") : l) + "\r");
        }
        out.add("@@ mask 9 00000000ffffffff");
        out.add(String.format("@@ set %s end %d %08x 1234", name, regLines.size(), crc.getValue()));
        return out;
    }

    static List<String> transcript(List<String> body) {
        List<String> t = new ArrayList<>(List.of("EFI stub: Booting Linux Kernel...", "@@ probe 1", "@@ boot-ms 3600",
                "@@ release 7.3.4+deb13-arm64", "@@ uname-version #1 SMP PREEMPT Debian 7.3.4-1~bpo13+1 (2026-11-15)",
                "@@ cmdline console=ttyAMA0 regshim.sets=pmu:c", "@@ midr 0x00000000000f0510", "@@ kvm api 12",
                "@@ cap PMU_V3 1", "@@ cap EL2 0"));
        t.addAll(body);
        t.add("@@ done");
        t.add("[    4.5] reboot: Power down");
        return t;
    }

    private static final List<String> REGS = List.of(
            "reg 6030000000100000 0000000000000000",
            "reg 603000000013c4f6 0000000000000000",
            "reg 6040000000100054 000000000000000000000000000000ff",
            "reg 603000000013c005 !22");

    @Test
    void readsSetsRefusalsAndHeader() {
        List<String> body = new ArrayList<>(set("pmu", REGS, false));
        body.add("@@ set pmu+el2 begin 8c 0");
        body.add("@@ target 5");
        body.add("@@ set pmu+el2 refused init 22");
        ProbeTranscript t = feed(transcript(body));
        assertThat(t.error()).isNull();
        assertThat(t.done()).isTrue();
        assertThat(t.release()).isEqualTo("7.3.4+deb13-arm64");
        assertThat(t.caps()).containsEntry("PMU_V3", 1).containsEntry("EL2", 0);
        assertThat(t.sets()).hasSize(2);
        CapturedSet pmu = t.sets().get(0);
        assertThat(pmu.offered()).isTrue();
        assertThat(pmu.size()).isEqualTo(4);
        assertThat(pmu.value(RegId.sysreg(3, 0, 9, 14, 6))).hasValue(0);
        assertThat(pmu.hexValue(RegId.of(0x6040000000100054L))).hasValue("000000000000000000000000000000ff");
        assertThat(pmu.readErrnoAt(3)).isEqualTo(22);
        assertThat(pmu.masks()).containsEntry(9, 0xffffffffL);
        CapturedSet el2 = t.sets().get(1);
        assertThat(el2.offered()).isFalse();
        assertThat(el2.refusal()).isEqualTo(new CapturedSet.Refusal("init", 22));
        assertThat(t.context()).contains("EFI stub: Booting Linux Kernel...");
    }

    @Test
    void aLineGarbledByAKernelMessageIsDetected() {
        ProbeTranscript t = feed(transcript(set("pmu", REGS, true)));
        assertThat(t.error()).contains("bad value").doesNotContain("\n");
    }

    @Test
    void aLostLineIsDetectedByTheCount() {
        List<String> body = new ArrayList<>(set("pmu", REGS, false));
        body.remove(3);
        assertThat(feed(transcript(body)).error()).contains("3 register lines, the probe counted 4");
    }

    @Test
    void aMissingKvmIsReported() {
        ProbeTranscript t = feed(List.of("@@ probe 1", "@@ release 6.12.117+deb13-arm64", "@@ kvm absent 2", "@@ done"));
        assertThat(t.kvmAbsentErrno()).isEqualTo(2);
        assertThat(t.sets()).isEmpty();
    }

    @Test
    void anUnaskedSetOrUnknownWordIsAnError() {
        assertThat(feed(transcript(set("none", REGS, false))).error()).contains("was not asked for");
        assertThat(feed(transcript(List.of("@@ frobnicate 1"))).error()).contains("unknown word");
    }

    private static ProbeTranscript feed(List<String> lines) {
        ProbeTranscript t = new ProbeTranscript(SETS);
        lines.forEach(t::line);
        return t;
    }
}
