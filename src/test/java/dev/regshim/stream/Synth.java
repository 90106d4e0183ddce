package dev.regshim.stream;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builds small synthetic streams through {@link StreamWriter}, for structures no real fixture has. */
final class Synth {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final StreamWriter w = new StreamWriter(out);
    private int pageBits = 12;

    static Synth start() {
        Synth s = new Synth();
        s.w.header(0, WireFormat.VERSION);
        return s;
    }

    Synth config(String machine, ConfigSubsection... subs) {
        w.configuration(new Configuration(0, machine, List.of(subs)));
        return this;
    }

    static ConfigSubsection pageBits(int bits) {
        return new ConfigSubsection(ConfigSubsection.TARGET_PAGE_BITS, 1, ByteBuffer.allocate(4).putInt(bits).array());
    }

    static ConfigSubsection capabilities(String... caps) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(ByteBuffer.allocate(4).putInt(caps.length).array());
        for (String c : caps) {
            b.write(c.length());
            b.writeBytes(c.getBytes(StandardCharsets.ISO_8859_1));
        }
        return new ConfigSubsection(ConfigSubsection.CAPABILITIES, 1, b.toByteArray());
    }

    static ConfigSubsection uuid() {
        byte[] u = new byte[16];
        for (int i = 0; i < u.length; i++) {
            u[i] = (byte) (i * 17);
        }
        return new ConfigSubsection(ConfigSubsection.UUID, 1, u);
    }

    Synth ramStart(int id, RamBlock... blocks) {
        w.sectionStart(new SectionHeader(0, WireFormat.SECTION_START, id, "ram", 0, 4));
        long total = 0;
        List<RamBlock> list = new ArrayList<>();
        for (RamBlock b : blocks) {
            total += b.usedLength();
            list.add(b);
        }
        w.ramBlockList(new RamBlockList(0, total | RamFlags.MEM_SIZE, total, list));
        eos();
        footer(id);
        return this;
    }

    Synth part(int id, boolean end) {
        w.sectionStart(new SectionHeader(0, end ? WireFormat.SECTION_END : WireFormat.SECTION_PART, id, "ram", 0,
                4));
        return this;
    }

    Synth page(String block, long offset, boolean cont, byte fill) {
        int flags = RamFlags.PAGE | (cont ? RamFlags.CONTINUE : 0);
        w.ramRecord(new RamRecord(0, offset | flags, flags, cont ? null : block, null, -1));
        byte[] data = new byte[1 << pageBits];
        java.util.Arrays.fill(data, fill);
        w.ramPageData(ByteBuffer.wrap(data));
        return this;
    }

    Synth zero(String block, long offset, boolean cont) {
        int flags = RamFlags.ZERO | (cont ? RamFlags.CONTINUE : 0);
        w.ramRecord(new RamRecord(0, offset | flags, flags, cont ? null : block, null, 0));
        return this;
    }

    Synth eos() {
        w.ramRecord(new RamRecord(0, RamFlags.EOS, RamFlags.EOS, null, null, -1));
        return this;
    }

    Synth footer(int id) {
        w.sectionFooter(new SectionHeader(0, WireFormat.SECTION_PART, id, "ram", 0, 4), 0);
        return this;
    }

    Synth device(int id, String idstr, int instance, int version, byte[] body) {
        SectionHeader h = new SectionHeader(0, WireFormat.SECTION_FULL, id, idstr, instance, version);
        w.deviceSection(new DeviceSection(h, body, null, DeviceSection.WalkMethod.VMDESC, List.of()));
        return this;
    }

    Synth command(int cmd, byte[] data) {
        w.command(new VmCommand(0, cmd, data));
        return this;
    }

    Synth raw(byte[] b) {
        w.ramPageData(ByteBuffer.wrap(b));
        return this;
    }

    Synth eof() {
        w.eof(0);
        return this;
    }

    Synth vmdesc(String json) {
        w.vmdesc(Vmdesc.parse(json.getBytes(StandardCharsets.UTF_8), 0, StreamLimits.defaults()));
        return this;
    }

    byte[] bytes() {
        w.flush();
        return out.toByteArray();
    }
}
