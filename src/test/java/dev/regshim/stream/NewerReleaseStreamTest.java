package dev.regshim.stream;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.regshim.cli.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Streams of releases after 11.1, built by splicing into a real QEMU 11.1 stream: the {@code cpu/sysreg128}
 * subsection of QEMU 11.2 (be32 count, count u64 IDs, count int128 values), a subsection no release regshim knows
 * (walked through the vmdesc, with an int128 field), and a stream without SWITCHOVER_START (11.0+ snapshots).
 * Each reads with and without its vmdesc where that is possible, and writes back byte for byte.
 */
class NewerReleaseStreamTest {

    static final long TTBR0_EL1_128 = 0x6040000000138100L; // a U128 KVM ID: S3_0_C2_C0_0 with size 16 bytes

    static byte[] subsection(String name, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(WireFormat.SUBSECTION_HEADER_FIXED_BYTES + name.length() + data.length);
        b.put((byte) WireFormat.SUBSECTION).put((byte) name.length()).put(name.getBytes(StandardCharsets.US_ASCII))
                .putInt(1).put(data);
        return b.array();
    }

    static byte[] sysreg128(long[] ids, long[][] values) {
        ByteBuffer b = ByteBuffer.allocate(4 + 24 * ids.length);
        b.putInt(ids.length);
        for (long id : ids) {
            b.putLong(id);
        }
        for (long[] v : values) {
            b.putLong(v[0]).putLong(v[1]);
        }
        return b.array();
    }

    static ObjectNode field(ObjectNode f, String name, String type, int size, int arrayLen) {
        ObjectNode e = f.objectNode();
        e.put("name", name);
        if (arrayLen > 1) {
            e.put("array_len", arrayLen);
        }
        e.put("type", type);
        e.put("size", size);
        return e;
    }

    /** A real 11.1 stream with {@code extra} appended to vCPU 0's subsections and {@code vmsd} to its vmdesc entry. */
    static byte[] splice(byte[] extra, ObjectNode vmsd, ObjectNode[] holder) {
        byte[] src = Fixtures.stream("qemu-11.1/max");
        StreamSummary s = Codec.summary(src, 0);
        CpuSection cpu = s.cpus().get(0);
        int cpuFooter = (int) (cpu.bodyOffset() + cpu.bodyLength());
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(src, 0, cpuFooter);
        b.writeBytes(extra);
        b.write(src, cpuFooter, (int) s.eofOffset() + 1 - cpuFooter);
        ObjectNode tree = s.vmdesc().tree();
        for (var d : tree.get("devices")) {
            if (d.get("name").asText().equals("cpu")) {
                ((ArrayNode) d.get("subsections")).add(vmsd);
            }
        }
        byte[] json = QemuJson.write(tree).getBytes(StandardCharsets.UTF_8);
        b.write(WireFormat.VMDESCRIPTION);
        b.writeBytes(ByteBuffer.allocate(4).putInt(json.length).array());
        b.writeBytes(json);
        return b.toByteArray();
    }

    static ObjectNode vmsd(String name, ObjectNode... fields) {
        ObjectNode o = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        o.put("vmsd_name", name);
        o.put("version", 1);
        ArrayNode f = o.putArray("fields");
        for (ObjectNode x : fields) {
            f.add(x);
        }
        return o;
    }

    static StreamSummary byLayout(byte[] stream) {
        StreamSummary.Collector c = new StreamSummary.Collector();
        Codec.decode(stream, c, StreamDecoder.builder(c).ignoreVmdesc(true), 0);
        return c.summary();
    }

    @Test
    void sysreg128ReadsByTheVmdescAndByTheLayoutAndRoundTrips() {
        long[] ids = {TTBR0_EL1_128, 0x6040000000138101L};
        long[][] values = {{0x1111_2222_3333_4444L, 0x5555_6666_7777_8888L}, {0, 0x42}};
        ObjectNode f = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        ObjectNode entry = vmsd(CpuLayout.SYSREG128,
                field(f, CpuLayout.SYSREG128_LEN_FIELD, "int32", 4, 1),
                field(f, CpuLayout.SYSREG128_INDEXES_FIELD, "uint64", 8, 2),
                field(f, CpuLayout.SYSREG128_VALUES_FIELD, "int128", 16, 2));
        byte[] stream = splice(subsection(CpuLayout.SYSREG128, sysreg128(ids, values)), entry, null);

        CpuSection a = Codec.summary(stream, 0).cpus().get(0);
        CpuSection l = byLayout(stream).cpus().get(0);
        assertThat(a.subsectionNames()).endsWith(CpuLayout.SYSREG128);
        assertThat(Describe.cpu(l)).isEqualTo(Describe.cpu(a));
        CpuSubsection s128 = l.subsections().get(l.subsections().size() - 1);
        assertThat(s128.fields()).extracting(CpuField::name).containsExactly(CpuLayout.SYSREG128_LEN_FIELD,
                CpuLayout.SYSREG128_INDEXES_FIELD, CpuLayout.SYSREG128_VALUES_FIELD);
        assertThat(s128.fields().get(0).value()).isEqualTo(2);
        assertThat(s128.fields().get(1).values()).containsExactly(ids);
        // int128 values as be64 words, high first as on the wire
        assertThat(s128.fields().get(2).values()).containsExactly(0x1111_2222_3333_4444L, 0x5555_6666_7777_8888L, 0, 0x42);
        assertThat(s128.encodedLength()).isEqualTo(6 + CpuLayout.SYSREG128.length() + 4 + 48);
        assertThat(Codec.roundTrip(stream, 0)).isEqualTo(stream);
        assertThat(Codec.roundTrip(stream, 5)).isEqualTo(stream);
    }

    @Test
    void sysreg128CountIsBoundedWithoutAVmdesc() {
        byte[] data = ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array();
        ObjectNode f = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        byte[] stream = splice(subsection(CpuLayout.SYSREG128, data),
                vmsd(CpuLayout.SYSREG128, field(f, CpuLayout.SYSREG128_LEN_FIELD, "int32", 4, 1)), null);
        assertThatThrownBy(() -> byLayout(stream)).isInstanceOf(StreamFormatException.class)
                .hasMessageContaining("cpreg128_vmstate_array_len 2147483647 is outside 0..");
    }

    @Test
    void anUnknownSubsectionIsWalkedThroughTheVmdescWithAnyFieldWidth() {
        ByteBuffer data = ByteBuffer.allocate(16 + 3 + 8);
        data.putLong(0x0102_0304_0506_0708L).putLong(0x090a_0b0c_0d0e_0f10L).put(new byte[]{1, 2, 3}).putLong(7);
        ObjectNode f = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        byte[] stream = splice(subsection("cpu/future-feature", data.array()), vmsd("cpu/future-feature",
                field(f, "wide", "int128", 16, 1), field(f, "odd", "buffer", 3, 1), field(f, "plain", "uint64", 8, 1)), null);
        CpuSection cpu = Codec.summary(stream, 0).cpus().get(0);
        CpuSubsection s = cpu.subsections().get(cpu.subsections().size() - 1);
        assertThat(s.name()).isEqualTo("cpu/future-feature");
        assertThat(s.fields()).extracting(CpuField::name).containsExactly("wide", "odd", "plain");
        assertThat(s.fields().get(0).values()).containsExactly(0x0102_0304_0506_0708L, 0x090a_0b0c_0d0e_0f10L);
        assertThat(s.fields().get(1).values()).containsExactly(1, 2, 3);
        assertThat(Codec.roundTrip(stream, 0)).isEqualTo(stream);
        // without the vmdesc nothing says how long it is: a clear error naming it, never a guess
        assertThatThrownBy(() -> byLayout(stream)).isInstanceOf(StreamFormatException.class)
                .hasMessageContaining("unknown cpu subsection 'cpu/future-feature'");
    }

    /**
     * 11.2's VMS_NO_STATE marks a field that is not on the wire: a vmdesc may list it with size 0 (or leave it out).
     * Either way the walk adds no bytes for it, the fields after it read at their place, and the stream writes back.
     */
    @Test
    void aFieldWithNoStateOnTheWireIsWalkedAsZeroBytes(@TempDir Path dir) throws Exception {
        ByteBuffer data = ByteBuffer.allocate(8 + 4);
        data.putLong(0x1122_3344_5566_7788L).putInt(9);
        ObjectNode f = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        byte[] stream = splice(subsection("cpu/future-nostate", data.array()), vmsd("cpu/future-nostate",
                field(f, "before", "uint64", 8, 1), field(f, "no_state", "validate", 0, 1),
                field(f, "no_state_array", "uint32", 0, 4), field(f, "after", "int32", 4, 1)), null);
        CpuSection cpu = Codec.summary(stream, 0).cpus().get(0);
        CpuSubsection s = cpu.subsections().get(cpu.subsections().size() - 1);
        assertThat(s.name()).isEqualTo("cpu/future-nostate");
        assertThat(s.fields()).extracting(CpuField::name).containsExactly("before", "no_state", "no_state_array", "after");
        assertThat(s.fields().get(0).values()).containsExactly(0x1122_3344_5566_7788L);
        assertThat(s.fields().get(1).values()).isEmpty();
        assertThat(s.fields().get(3).values()).containsExactly(9);
        assertThat(Codec.roundTrip(stream, 0)).isEqualTo(stream);
        Path file = dir.resolve("s.mig");
        Files.write(file, stream);
        Cli.Run r = Cli.run("inspect", "--fields", file.toString());
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("cpu/future-nostate").contains("no_state");
    }

    @Test
    void aStreamWithoutSwitchoverStartReads() {
        byte[] src = Fixtures.stream("qemu-11.1/max");
        StreamSummary s = Codec.summary(src, 0);
        assertThat(s.commands()).extracting(VmCommand::cmd).containsExactly(VmCommand.SWITCHOVER_START);
        byte[] cmd = {WireFormat.COMMAND, 0, (byte) VmCommand.SWITCHOVER_START, 0, 0};
        int at = indexOf(src, cmd, (int) s.commands().get(0).offset());
        assertThat(at).isEqualTo(s.commands().get(0).offset());
        byte[] snapshot = new byte[src.length - cmd.length];
        System.arraycopy(src, 0, snapshot, 0, at);
        System.arraycopy(src, at + cmd.length, snapshot, at, src.length - at - cmd.length);
        StreamSummary t = Codec.summary(snapshot, 0);
        assertThat(t.commands()).isEmpty();
        assertThat(t.cpus().get(0).ids()).isEqualTo(s.cpus().get(0).ids());
        assertThat(Codec.roundTrip(snapshot, 0)).isEqualTo(snapshot);
    }

    @Test
    void inspectShowsTheNewSubsection(@TempDir Path dir) throws Exception {
        ObjectNode f = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        byte[] stream = splice(subsection(CpuLayout.SYSREG128, sysreg128(new long[]{TTBR0_EL1_128},
                        new long[][]{{1, 2}})), vmsd(CpuLayout.SYSREG128,
                        field(f, CpuLayout.SYSREG128_LEN_FIELD, "int32", 4, 1),
                        field(f, CpuLayout.SYSREG128_INDEXES_FIELD, "uint64", 8, 1),
                        field(f, CpuLayout.SYSREG128_VALUES_FIELD, "int128", 16, 1)), null);
        Path file = dir.resolve("s.mig");
        Files.write(file, stream);
        Cli.Run r = Cli.run("inspect", "--fields", file.toString());
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("cpu/sysreg128").contains("cpreg128_vmstate_indexes 0x6040000000138100")
                .contains("cpreg128_vmstate_values  0x0000000000000001 0x0000000000000002");
    }

    static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
