package dev.regshim.stream;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The state-dependent cpu subsections no saved fixture has (nested cpu/vfp/fpcr_fpsr, sme, zt0, serror, pstate64,
 * syndrome64), spliced into a real QEMU 10.0 cpu section together with a matching vmdesc: both walks find and
 * decode them identically.
 */
class CpuSubsectionsTest {

    private static byte[] subsection(String name, int version, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(WireFormat.SUBSECTION_HEADER_FIXED_BYTES + name.length() + data.length);
        b.put((byte) WireFormat.SUBSECTION).put((byte) name.length()).put(name.getBytes(StandardCharsets.US_ASCII))
                .putInt(version).put(data);
        return b.array();
    }

    private static byte[] longs(long... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8);
        for (long x : v) {
            b.putLong(x);
        }
        return b.array();
    }

    private static ObjectNode vmsd(ObjectNode factory, String name, Object... fields) {
        ObjectNode o = factory.objectNode();
        o.put("vmsd_name", name);
        o.put("version", 1);
        ArrayNode f = o.putArray("fields");
        for (int i = 0; i < fields.length; i += 3) {
            ObjectNode e = f.addObject();
            e.put("name", (String) fields[i]);
            int count = (Integer) fields[i + 2];
            if (count > 1) {
                e.put("array_len", count);
            }
            e.put("type", "uint64");
            e.put("size", (Integer) fields[i + 1]);
        }
        return o;
    }

    @Test
    void nestedAndStateDependentSubsectionsDecodeBothWays() {
        byte[] src = Fixtures.stream("qemu-10.0/max");
        StreamSummary s = Codec.summary(src, 0);
        CpuSection cpu = s.cpus().get(0);
        CpuSubsection vfp = cpu.subsections().get(0);
        int vfpEnd = (int) (vfp.offset() + vfp.encodedLength());
        int cpuFooter = (int) (cpu.bodyOffset() + cpu.bodyLength());

        byte[] za = new byte[65536];
        za[5] = 0x5a;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(src, 0, vfpEnd);
        b.writeBytes(subsection("cpu/vfp/fpcr_fpsr", 1, longs(0x0400_0000L, 0x0800_001fL)));
        b.write(src, vfpEnd, cpuFooter - vfpEnd);
        b.writeBytes(subsection("cpu/sme", 1, za));
        b.writeBytes(subsection("cpu/zt0", 1, longs(1, 2, 3, 4, 5, 6, 7, 8)));
        b.writeBytes(subsection("cpu/serror", 1, new byte[]{1, 1, 0, 0, 0, 0, (byte) 0x96, 0, 0, 0x11}));
        b.writeBytes(subsection("cpu/pstate64", 1, longs(0x1_0000_03c5L)));
        b.writeBytes(subsection("cpu/syndrome64", 1, longs(0x1_2345_6789L)));
        int eof = (int) s.eofOffset();
        b.write(src, cpuFooter, eof + 1 - cpuFooter);

        ObjectNode tree = s.vmdesc().tree();
        ObjectNode entry = null;
        for (var d : tree.get("devices")) {
            if (d.get("name").asText().equals("cpu")) {
                entry = (ObjectNode) d;
            }
        }
        ArrayNode subs = (ArrayNode) entry.get("subsections");
        ((ObjectNode) subs.get(0)).putArray("subsections")
                .add(vmsd(tree, "cpu/vfp/fpcr_fpsr", "fpcr", 8, 1, "fpsr", 8, 1));
        subs.add(vmsd(tree, "cpu/sme", "env.zarray", 256, 256));
        subs.add(vmsd(tree, "cpu/zt0", "env.za_state.zt0", 8, 8));
        ObjectNode serror = vmsd(tree, "cpu/serror", "pending", 1, 1, "has_esr", 1, 1, "esr", 8, 1);
        subs.add(serror);
        subs.add(vmsd(tree, "cpu/pstate64", "pstate", 8, 1));
        subs.add(vmsd(tree, "cpu/syndrome64", "env.exception.syndrome", 8, 1));
        byte[] json = QemuJson.write(tree).getBytes(StandardCharsets.UTF_8);
        b.write(WireFormat.VMDESCRIPTION);
        b.writeBytes(ByteBuffer.allocate(4).putInt(json.length).array());
        b.writeBytes(json);
        byte[] stream = b.toByteArray();

        StreamSummary withVmdesc = Codec.summary(stream, 0);
        StreamSummary.Collector c = new StreamSummary.Collector();
        Codec.decode(stream, c, StreamDecoder.builder(c).ignoreVmdesc(true), 0);
        StreamSummary byLayout = c.summary();

        CpuSection a = withVmdesc.cpus().get(0);
        CpuSection l = byLayout.cpus().get(0);
        assertThat(a.subsectionNames()).containsExactly("cpu/vfp", "cpu/vfp/fpcr_fpsr", "cpu/sve",
                "cpu/irq-line-state", "cpu/wfxt-timer", "cpu/sme", "cpu/zt0", "cpu/serror", "cpu/pstate64",
                "cpu/syndrome64");
        assertThat(Describe.cpu(l)).isEqualTo(Describe.cpu(a));
        assertThat(l.ids()).isEqualTo(cpu.ids());

        CpuSubsection fpcrFpsr = l.subsections().get(0).children().get(0);
        assertThat(fpcrFpsr.fields()).extracting(CpuField::name).containsExactly("fpcr", "fpsr");
        assertThat(fpcrFpsr.fields().get(1).value()).isEqualTo(0x0800_001fL);
        CpuSubsection serr = l.subsections().get(6);
        assertThat(serr.fields()).extracting(CpuField::value).containsExactly(1L, 1L, 0x9600_0011L);
        assertThat(l.subsections().get(7).fields().get(0).value()).isEqualTo(0x1_0000_03c5L);
        assertThat(l.subsections().get(4).encodedLength()).isEqualTo(6 + 7 + 65536);
        assertThat(Arrays.stream(l.subsections().get(4).fields().get(0).values()).filter(v -> v != 0).count())
                .isEqualTo(1);
        assertThat(Codec.roundTrip(stream, 0)).isEqualTo(stream);
        assertThat(Codec.roundTrip(stream, 7)).isEqualTo(stream);
    }
}
