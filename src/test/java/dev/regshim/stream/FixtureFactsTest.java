package dev.regshim.stream;

import dev.regshim.regs.RegId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What the reader finds in the real streams matches what was measured on them independently (qemu-oracle.md). */
class FixtureFactsTest {

    record Expected(String name, String args, String cpregs) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Expected> manifest() throws IOException {
        List<Expected> out = new ArrayList<>();
        try (InputStream in = FixtureFactsTest.class.getResourceAsStream("/streams/qemu-7.2/gen-manifest.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                out.add(new Expected(f[0], f[1], f[2]));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifest")
    void generatedStreamsHaveTheOracleCpregCounts(Expected e) {
        StreamSummary s = Codec.summary(Fixtures.stream("qemu-7.2/" + e.name()), 0);
        int smp = Integer.parseInt(e.args().replaceAll(".*-smp (\\d+).*", "$1"));
        int expect = e.cpregs().startsWith("=")
                ? Codec.summary(Fixtures.stream("qemu-7.2/" + e.cpregs().substring(1)), 0).cpus().get(0).cpregCount()
                : Integer.parseInt(e.cpregs());
        assertThat(s.cpus()).hasSize(smp);
        for (int i = 0; i < smp; i++) {
            assertThat(s.cpus().get(i).instanceId()).isEqualTo(i);
            assertThat(s.cpus().get(i).cpregCount()).isEqualTo(expect);
        }
        assertThat(s.machineType()).contains("virt-7.2");
        assertThat(s.pageSize()).isEqualTo(4096);
        assertThat(s.commands()).isEmpty();
        boolean sve = e.args().contains("max") && !e.args().contains("sve=off") || e.args().contains("a64fx");
        assertThat(s.cpus().get(0).subsectionNames()).isEqualTo(sve
                ? List.of("cpu/vfp", "cpu/sve", "cpu/irq-line-state")
                : List.of("cpu/vfp", "cpu/irq-line-state"));
        List<String> blocks = s.ramBlocks().stream().map(b -> b.block().name()).toList();
        assertThat(blocks.contains("mach-virt.tag")).isEqualTo(e.args().contains("mte=on"));
        assertThat(blocks.contains("virt.secure-ram")).isEqualTo(e.args().contains("secure=on"));
    }

    @Test
    void qemu72MaxLayout() {
        StreamSummary s = Codec.summary(Fixtures.stream("qemu-7.2/max"), 0);
        CpuSection cpu = s.cpus().get(0);
        assertThat(cpu.header().offset()).isEqualTo(467796);
        assertThat(cpu.header().sectionId()).isEqualTo(7);
        assertThat(cpu.bodyLength()).isEqualTo(10259);
        assertThat(cpu.cpregCount()).isEqualTo(304);
        assertThat(cpu.cpregArrayOffset()).isEqualTo(467796 + 17 + 568);
        long[] ids = cpu.ids();
        assertThat(java.util.Arrays.stream(ids).filter(id -> (id >>> 48) == 0x4020).count()).isEqualTo(114);
        assertThat(java.util.Arrays.stream(ids).filter(id -> (id >>> 48) == 0x4030).count()).isEqualTo(7);
        assertThat(java.util.Arrays.stream(ids).filter(id -> (id >>> 48) == 0x6030).count()).isEqualTo(183);
        assertThat(cpu.valueOf(0x603000000013c031L)).contains(0x0011111101211012L); // ID_AA64ISAR1_EL1
        assertThat(s.sections().get(0).offset()).isEqualTo(61);
        assertThat(s.sections().get(2).offset()).isEqualTo(467609);
        assertThat(s.ramBlocks()).hasSize(6);
        assertThat(s.ramBlocks().get(0).block().name()).isEqualTo("mach-virt.ram");
        assertThat(s.ramBlocks().get(0).block().usedLength()).isEqualTo(64L << 20);
        assertThat(s.zeroPages() + s.dataPages()).isEqualTo(49_186);
        assertThat(s.dataPages()).isEqualTo(6);
        assertThat(s.vmdesc().encodedLength()).isEqualTo(5 + 11_997);
    }

    @Test
    void qemu100StreamsHaveSwitchoverAndWfxt() {
        StreamSummary s = Codec.summary(Fixtures.stream("qemu-10.0/max"), 0);
        assertThat(s.machineType()).contains("virt-10.0");
        assertThat(s.commands()).singleElement().satisfies(c -> {
            assertThat(c.cmd()).isEqualTo(VmCommand.SWITCHOVER_START);
            assertThat(c.offset()).isEqualTo(467610);
        });
        CpuSection cpu = s.cpus().get(0);
        assertThat(cpu.header().offset()).isEqualTo(467802);
        assertThat(cpu.header().sectionId()).isEqualTo(6);
        assertThat(cpu.cpregCount()).isEqualTo(329);
        assertThat(cpu.bodyLength()).isEqualTo(10687);
        assertThat(cpu.subsectionNames()).containsExactly("cpu/vfp", "cpu/sve", "cpu/irq-line-state",
                "cpu/wfxt-timer");
        StreamSummary a57 = Codec.summary(Fixtures.stream("qemu-10.0/a57"), 0);
        assertThat(a57.cpus().get(0).cpregCount()).isEqualTo(275);
        assertThat(a57.cpus().get(0).bodyLength()).isEqualTo(5654);
        assertThat(Codec.summary(Fixtures.stream("qemu-7.2/a57"), 0).cpus().get(0).bodyLength()).isEqualTo(5382);
    }

    private static StreamSummary summary(String fixture, boolean ignoreVmdesc) {
        StreamSummary.Collector c = new StreamSummary.Collector();
        Codec.decode(Fixtures.stream(fixture), c, Codec.opts(c).ignoreVmdesc(ignoreVmdesc), 0);
        return c.summary();
    }

    @Test
    void qemu111StreamsHaveFpmrAndThumbEeSubsectionsBothWalksDecode() {
        for (boolean ignoreVmdesc : new boolean[]{false, true}) {
            StreamSummary max = summary("qemu-11.1/max", ignoreVmdesc);
            assertThat(max.machineType()).contains("virt-11.1");
            CpuSection cpu = max.cpus().get(0);
            assertThat(cpu.cpregCount()).isEqualTo(362);
            assertThat(cpu.subsectionNames()).containsExactly("cpu/vfp", "cpu/sve", "cpu/irq-line-state",
                    "cpu/wfxt-timer", "cpu/fpmr");
            assertThat(cpu.subsections().get(4).encodedLength())
                    .isEqualTo(WireFormat.SUBSECTION_HEADER_FIXED_BYTES + "cpu/fpmr".length() + Long.BYTES);
            CpuSection a15 = summary("qemu-11.1/a15", ignoreVmdesc).cpus().get(0);
            assertThat(a15.cpregCount()).isEqualTo(209);
            assertThat(a15.subsectionNames()).containsExactly("cpu/vfp", "cpu/thumb2ee", "cpu/irq-line-state",
                    "cpu/wfxt-timer");
            assertThat(a15.pc()).isZero();
            CpuSection sevl = summary("qemu-11.1/sevl", ignoreVmdesc).cpus().get(0);
            assertThat(sevl.pc()).isEqualTo(0x40080004L); // spinning after the SEVL
            assertThat(sevl.subsectionNames()).containsExactly("cpu/vfp", "cpu/sve", "cpu/irq-line-state",
                    "cpu/wfxt-timer", "cpu/event", "cpu/fpmr");
            CpuSubsection event = sevl.subsections().get(4);
            assertThat(event.fields()).singleElement().satisfies(f -> assertThat(f.value()).isEqualTo(1L));
            CpuSection sme = summary("qemu-11.1/sme", ignoreVmdesc).cpus().get(0);
            assertThat(sme.subsectionNames()).containsExactly("cpu/vfp", "cpu/sve", "cpu/sme", "cpu/zt0",
                    "cpu/irq-line-state", "cpu/wfxt-timer", "cpu/fpmr");
            assertThat(sme.subsections().get(2).encodedLength()).isEqualTo(WireFormat.SUBSECTION_HEADER_FIXED_BYTES
                    + "cpu/sme".length() + 256 * 256); // ZA: 256 rows of 256 bytes (ARM_MAX_VQ 16 quadwords)
        }
    }

    @Test
    void runningGuestRegistersDecode() {
        CpuSection cpu = Codec.summary(Fixtures.stream("qemu-10.0/running-max"), 0).cpus().get(0);
        assertThat(cpu.xreg(19)).isEqualTo(0xa); // the counter program's n, the serial log ends at n=9
        assertThat(cpu.pc()).isEqualTo(0x400800ccL);
        assertThat(cpu.valueOf(RegId.sysreg(3, 3, 13, 0, 2).value())).contains(0x1111222233334444L); // TPIDR_EL0
        assertThat(cpu.valueOf(RegId.sysreg(3, 0, 13, 0, 4).value())).contains(0x5555666677778888L); // TPIDR_EL1
        assertThat(cpu.valueOf(RegId.sysreg(3, 0, 13, 0, 1).value())).contains(0x12345678L);         // CONTEXTIDR
        CpuSubsection wfxt = cpu.subsections().get(3);
        assertThat(wfxt.name()).isEqualTo("cpu/wfxt-timer");
        assertThat(wfxt.fields().get(0).value()).isEqualTo(-1L);
        assertThat(cpu.field("power_state").orElseThrow().value()).isZero();
    }

    @Test
    void trailersEqualTheSavedVmdescFiles() {
        for (String name : Fixtures.names()) {
            if (!Fixtures.hasVmdescJson(name)) {
                continue;
            }
            Vmdesc v = Codec.summary(Fixtures.stream(name), 0).vmdesc();
            assertThat(v.raw()).as(name).isEqualTo(Fixtures.vmdescJson(name));
        }
    }
}
