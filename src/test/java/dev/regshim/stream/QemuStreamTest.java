package dev.regshim.stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Streams made by the real QEMU 7.2 at test time: bigger ones than the committed fixtures, and loads back. */
@Tag("qemu")
class QemuStreamTest {

    @TempDir
    static Path tmp;

    @BeforeAll
    static void qemu() {
        Qemu.require();
    }

    private static final String[] MAX = {"-M", "virt", "-cpu", "max", "-m", "64"};
    private static final String[] MAX_NOPAUTH = {"-M", "virt", "-cpu", "max,pauth=off", "-m", "64"};

    @Test
    void bigStreamsInspectRoundTripAndAgree() throws Exception {
        Path f = tmp.resolve("max-512-smp4.mig");
        Qemu.save(f, "-M", "virt", "-cpu", "max", "-m", "512", "-smp", "4");
        StreamSummary s = StreamReader.summarize(f, ReadOptions.defaults());
        assertThat(s.cpus()).hasSize(4).allMatch(c -> c.cpregCount() == 304);
        assertThat(s.cpus()).extracting(CpuSection::instanceId).containsExactly(0, 1, 2, 3);
        assertThat(s.ramBlocks().get(0).block().usedLength()).isEqualTo(512L << 20);
        assertThat(s.ramBlocks().get(0).zeroPages() + s.ramBlocks().get(0).dataPages()).isEqualTo(512 * 256);
        StreamSummary layout = StreamReader.summarize(f, ReadOptions.defaults().withIgnoreVmdesc(true));
        assertThat(Describe.summary(layout, false)).isEqualTo(Describe.summary(s, false));
        byte[] bytes = Files.readAllBytes(f);
        assertThat(Codec.roundTrip(bytes, 0)).isEqualTo(bytes);

        Path a57 = tmp.resolve("a57-512-smp2.mig");
        Qemu.save(a57, "-M", "virt,gic-version=3", "-cpu", "cortex-a57", "-m", "512", "-smp", "2");
        StreamSummary t = StreamReader.summarize(a57, ReadOptions.defaults());
        assertThat(t.cpus()).hasSize(2).allMatch(c -> c.cpregCount() == 258);
        assertThat(t.sections()).extracting(StreamSummary.SectionInfo::idstr).contains("arm_gicv3");
        byte[] ab = Files.readAllBytes(a57);
        assertThat(Codec.roundTrip(ab, 0)).isEqualTo(ab);
    }

    @Test
    void sameArraysRewrittenLoadsInQemu() throws Exception {
        Path src = tmp.resolve("max.mig");
        Qemu.save(src, MAX);
        Path out = tmp.resolve("max-same.mig");
        TransformResult r;
        try (OutputStream o = Files.newOutputStream(out)) {
            r = StreamTransformer.of(cpu -> CpregReplacement.of(cpu.ids(), cpu.values())).transform(src, o);
        }
        assertThat(r.changes()).singleElement().matches(CpuChange::isNoop);
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(src));
        Qemu.Load l = Qemu.load(out, MAX);
        assertThat(l.runstate()).as(l.stderr()).isEqualTo("prelaunch");
    }

    /** qemu-oracle.md section 5: max to max,pauth=off with the destination template's list and values. */
    @Test
    void templateRewriteLoadsIntoTheOtherCpu() throws Exception {
        Path src = tmp.resolve("max-src.mig");
        Path template = tmp.resolve("nopauth-template.mig");
        Qemu.save(src, MAX);
        Qemu.save(template, MAX_NOPAUTH);

        Qemu.Load refused = Qemu.load(src, MAX_NOPAUTH);
        assertThat(refused.loaded()).isFalse();
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderr()).contains("Invalid value 304 expecting positive value <= 294");

        CpuSection t = StreamReader.summarize(template, ReadOptions.defaults()).cpus().get(0);
        Path out = tmp.resolve("max-as-nopauth.mig");
        try (OutputStream o = Files.newOutputStream(out)) {
            StreamTransformer.of(cpu -> CpregReplacement.of(t.ids(), t.values())).transform(src, o);
        }
        StreamSummary rewritten = StreamReader.summarize(out, ReadOptions.defaults());
        assertThat(rewritten.cpus().get(0).cpregCount()).isEqualTo(294);
        assertThat(rewritten.vmdesc().cpregCount(0)).isEqualTo(294);
        Qemu.Load l = Qemu.load(out, MAX_NOPAUTH);
        assertThat(l.runstate()).as(l.stderr()).isEqualTo("prelaunch");
        assertThat(l.exitCode()).isZero();
    }

    @Test
    void transformOverAPipeLoadsToo() throws Exception {
        Path src = tmp.resolve("a57-pipe.mig");
        String[] a57 = {"-M", "virt", "-cpu", "cortex-a57", "-m", "64", "-smp", "2"};
        Qemu.save(src, a57);
        Path out = tmp.resolve("a57-pipe-out.mig");
        try (OutputStream o = Files.newOutputStream(out)) {
            StreamTransformer.of(cpu -> CpregReplacement.of(cpu.ids(), cpu.values()))
                    .transform(new ByteArrayInputStream(Files.readAllBytes(src)), o);
        }
        Qemu.Load l = Qemu.load(out, a57);
        assertThat(l.runstate()).as(l.stderr()).isEqualTo("prelaunch");
        List<CpuSection> cpus = StreamReader.summarize(out, ReadOptions.defaults()).cpus();
        assertThat(cpus).hasSize(2);
    }
}
