package dev.regshim.stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** cpreg replacement through the streaming transform: what changes, and that nothing else does. */
class TransformTest {

    @TempDir
    Path tmp;

    private static byte[] transform(byte[] in, StreamTransformer.CpuSectionHandler h, List<TransformResult> result)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        result.add(StreamTransformer.of(h).transform(new ByteArrayInputStream(in), out));
        return out.toByteArray();
    }

    /** The template's list and values (qemu-oracle.md section 5, max to max,pauth=off). */
    @Test
    void maxRewrittenWithPauthOffTemplateMatchesTheNativeStream() throws IOException {
        byte[] src = Fixtures.stream("qemu-7.2/max");
        byte[] native0 = Fixtures.stream("qemu-7.2/max_nopauth");
        CpuSection template = Codec.summary(native0, 0).cpus().get(0);
        List<TransformResult> r = new java.util.ArrayList<>();
        byte[] out = transform(src, cpu -> CpregReplacement.of(template.ids(), template.values()), r);

        assertThat(out).hasSize(native0.length); // 500,885 bytes, like the native stream
        StreamSummary s = Codec.summary(out, 0);
        CpuSection cpu = s.cpus().get(0);
        assertThat(cpu.ids()).isEqualTo(template.ids());
        assertThat(cpu.values()).isEqualTo(template.values());
        // the vmdesc now equals the native one byte for byte
        assertThat(s.vmdesc().raw()).isEqualTo(Codec.summary(native0, 0).vmdesc().raw());
        assertThat(s.vmdesc().cpregCount(0)).isEqualTo(294);

        // everything but the arrays and the trailer is the source's
        CpuSection before = Codec.summary(src, 0).cpus().get(0);
        int arraysAt = (int) before.cpregArrayOffset();
        assertThat(Arrays.copyOf(out, arraysAt)).isEqualTo(Arrays.copyOf(src, arraysAt));
        int tailSrc = arraysAt + 4 + 16 * 304;
        int tailOut = arraysAt + 4 + 16 * 294;
        int eofSrc = (int) Codec.summary(src, 0).eofOffset();
        assertThat(Arrays.copyOfRange(out, tailOut, tailOut + (eofSrc - tailSrc) + 1))
                .isEqualTo(Arrays.copyOfRange(src, tailSrc, eofSrc + 1));

        TransformResult tr = r.get(0);
        assertThat(tr.changes()).singleElement().satisfies(c -> {
            assertThat(c.before()).isEqualTo(304);
            assertThat(c.after()).isEqualTo(294);
            assertThat(c.removed().size()).isEqualTo(10); // the AP*KEY registers
            assertThat(c.added().size()).isZero();
            assertThat(c.valuesChanged().toArray()).contains(0x603000000013c031L); // ID_AA64ISAR1_EL1
        });
        assertThat(tr.vmdescUpdated()).isTrue();
        assertThat(tr.bytesOut()).isEqualTo(out.length);
        assertThat(tr.dataPages()).isEqualTo(6);
    }

    @Test
    void sameArraysChangeNothing() throws IOException {
        for (String name : List.of("qemu-7.2/gen-max_smp4", "qemu-10.0/running-max")) {
            byte[] src = Fixtures.stream(name);
            List<TransformResult> r = new java.util.ArrayList<>();
            byte[] out = transform(src, cpu -> CpregReplacement.of(cpu.ids(), cpu.values()), r);
            assertThat(out).isEqualTo(src);
            assertThat(r.get(0).changes()).allMatch(CpuChange::isNoop);
            assertThat(r.get(0).unchanged()).isTrue();
            assertThat(r.get(0).vmdescUpdated()).isFalse();
        }
    }

    @Test
    void eachVcpuIsOfferedAndReplacedIndependently() throws IOException {
        byte[] src = Fixtures.stream("qemu-7.2/gen-max_smp4");
        List<Integer> seen = new java.util.ArrayList<>();
        List<TransformResult> r = new java.util.ArrayList<>();
        byte[] out = transform(src, cpu -> {
            seen.add(cpu.instanceId());
            if (cpu.instanceId() != 2) {
                return CpregReplacement.unchanged();
            }
            long[] ids = Arrays.copyOf(cpu.ids(), 3);
            long[] vals = {1, 2, 3};
            return CpregReplacement.of(ids, vals);
        }, r);
        assertThat(seen).containsExactly(0, 1, 2, 3);
        StreamSummary s = Codec.summary(out, 0);
        assertThat(s.cpus()).extracting(CpuSection::cpregCount).containsExactly(304, 304, 3, 304);
        assertThat(s.cpus().get(2).values()).containsExactly(1, 2, 3);
        assertThat(s.vmdesc().cpregCount(2)).isEqualTo(3);
        assertThat(s.vmdesc().cpregCount(1)).isEqualTo(304);
        // the layout walk agrees with the rewritten vmdesc
        StreamSummary.Collector c = new StreamSummary.Collector();
        Codec.decode(out, c, StreamDecoder.builder(c).ignoreVmdesc(true), 0);
        assertThat(Describe.summary(c.summary(), false)).isEqualTo(Describe.summary(s, false));
    }

    @Test
    void oneAndZeroRegistersFollowQemusVmdescRules() throws IOException {
        byte[] src = Fixtures.stream("qemu-7.2/a57");
        for (int n : new int[]{0, 1, 2}) {
            List<TransformResult> r = new java.util.ArrayList<>();
            byte[] out = transform(src, cpu -> CpregReplacement.of(Arrays.copyOf(cpu.ids(), n),
                    Arrays.copyOf(cpu.values(), n)), r);
            StreamSummary s = Codec.summary(out, 0);
            assertThat(s.cpus().get(0).cpregCount()).isEqualTo(n);
            assertThat(s.vmdesc().cpregCount(0)).isEqualTo(n);
            String json = new String(s.vmdesc().raw());
            assertThat(json.contains("cpreg_vmstate_indexes")).isEqualTo(n > 0);
            assertThat(json.contains("\"array_len\": " + n + ", \"type\": \"uint64\"")).isEqualTo(n > 1);
            assertThat(Codec.roundTrip(out, 0)).isEqualTo(out);
            // and back to the original arrays gives the original stream
            CpuSection orig = Codec.summary(src, 0).cpus().get(0);
            byte[] back = transform(out, cpu -> CpregReplacement.of(orig.ids(), orig.values()), r);
            assertThat(back).isEqualTo(src);
        }
    }

    @Test
    void fileTransformEqualsStreamTransform() throws IOException {
        Fixtures.Fixture f = new Fixtures.Fixture("qemu-10.0/max", Fixtures.stream("qemu-10.0/max"));
        Path file = Fixtures.toFile(tmp, f);
        StreamTransformer.CpuSectionHandler drop = cpu -> CpregReplacement.of(Arrays.copyOf(cpu.ids(), 100),
                Arrays.copyOf(cpu.values(), 100));
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        StreamTransformer.of(drop).transform(file, a);
        List<TransformResult> r = new java.util.ArrayList<>();
        assertThat(a.toByteArray()).isEqualTo(transform(f.bytes(), drop, r));
    }

    @Test
    void unsortedReplacementIsRefused() {
        byte[] src = Fixtures.stream("qemu-7.2/a57");
        assertThatThrownBy(() -> transform(src, cpu -> {
            long[] ids = cpu.ids();
            long t = ids[0];
            ids[0] = ids[1];
            ids[1] = t;
            return CpregReplacement.of(ids, cpu.values());
        }, new java.util.ArrayList<>())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sorted");
    }
}
