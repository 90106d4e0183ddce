package dev.regshim.stream;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;

/** In-memory streams for benchmarks: a virt-7.2-like stream whose RAM is all non-zero pages, plus a real device tail. */
public final class BenchStreams {

    private BenchStreams() {
    }

    /** {@code mib} MiB of distinct non-zero PAGE records in one block, then the device state of qemu-7.2/max. */
    public static byte[] nonZeroPages(int mib) {
        byte[] real = Fixtures.stream("qemu-7.2/max");
        StreamSummary s = Codec.summary(real, 0);
        int pages = mib * 256;
        ByteArrayOutputStream out = new ByteArrayOutputStream(mib * 4200 * 256 + real.length);
        StreamWriter w = new StreamWriter(out);
        w.header(0, WireFormat.VERSION);
        w.configuration(s.configuration());
        RamBlock ram = new RamBlock("mach-virt.ram", (long) pages * 4096, RamBlock.ABSENT, RamBlock.ABSENT);
        w.sectionStart(new SectionHeader(0, WireFormat.SECTION_START, 2, "ram", 0, 4));
        w.ramBlockList(new RamBlockList(0, ram.usedLength() | RamFlags.MEM_SIZE, ram.usedLength(), List.of(ram)));
        w.ramRecord(new RamRecord(0, RamFlags.EOS, RamFlags.EOS, null, null, -1));
        w.sectionFooter(new SectionHeader(0, WireFormat.SECTION_START, 2, "ram", 0, 4), 0);
        w.sectionStart(new SectionHeader(0, WireFormat.SECTION_PART, 2, "ram", 0, 4));
        byte[] page = new byte[4096];
        for (int i = 0; i < pages; i++) {
            ByteBuffer.wrap(page).putLong(0, i + 1L).putLong(4088, ~(long) i);
            int flags = RamFlags.PAGE | (i == 0 ? 0 : RamFlags.CONTINUE);
            w.ramRecord(new RamRecord(0, (long) i * 4096 | flags, flags, i == 0 ? ram.name() : null, ram, -1));
            w.ramPageData(ByteBuffer.wrap(page));
        }
        w.ramRecord(new RamRecord(0, RamFlags.EOS, RamFlags.EOS, null, null, -1));
        w.sectionFooter(new SectionHeader(0, WireFormat.SECTION_PART, 2, "ram", 0, 4), 0);
        w.flush();
        // the real stream from its RAM END section on (END, device sections, EOF, trailer)
        int end = (int) s.sections().get(2).offset();
        out.write(real, end, real.length - end);
        return out.toByteArray();
    }
}
