package dev.regshim.fuzz;

import dev.regshim.stream.Configuration;
import dev.regshim.stream.DeviceSection;
import dev.regshim.stream.RamBlockList;
import dev.regshim.stream.RamFlags;
import dev.regshim.stream.RamRecord;
import dev.regshim.stream.SectionHeader;
import dev.regshim.stream.StreamDecoder;
import dev.regshim.stream.StreamVisitor;
import dev.regshim.stream.StreamWriter;
import dev.regshim.stream.VmCommand;
import dev.regshim.stream.Vmdesc;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Makes a small valid stream from a real one by dropping most ZERO page records (a RAM section may carry any subset
 * of pages), keeping every other byte's structure. Used to give the fuzzer a fast corpus.
 */
public final class StreamShrinker {

    private StreamShrinker() {
    }

    /** The stream with at most {@code keepZeroPerBlock} ZERO records per RAM block. */
    public static byte[] dropZeroPages(byte[] stream, int keepZeroPerBlock) {
        return dropPages(stream, keepZeroPerBlock, Integer.MAX_VALUE);
    }

    /**
     * The stream with at most {@code keepZeroPerBlock} ZERO and {@code keepDataPerBlock} PAGE records per RAM block:
     * the smallest corpus with every record kind, for campaigns where each case reads its input whole.
     */
    public static byte[] dropPages(byte[] stream, int keepZeroPerBlock, int keepDataPerBlock) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(stream.length / 4);
        StreamWriter w = new StreamWriter(out);
        Map<String, Integer> kept = new HashMap<>();
        Map<String, Integer> keptData = new HashMap<>();
        StreamVisitor filter = new StreamVisitor() {
            // a dropped record may have named the block; the next kept record must then name it itself
            private String lastWritten;
            private boolean droppingData;

            @Override public void header(long o, int v) { w.header(o, v); }
            @Override public void configuration(Configuration c) { w.configuration(c); }
            @Override public void sectionStart(SectionHeader h) { w.sectionStart(h); }
            @Override public void ramBlockList(RamBlockList l) { w.ramBlockList(l); }
            @Override
            public void ramPageData(ByteBuffer d) {
                if (!droppingData) {
                    w.ramPageData(d);
                }
            }

            @Override public void sectionFooter(SectionHeader s, long o) { w.sectionFooter(s, o); }
            @Override public void deviceSection(DeviceSection s) { w.deviceSection(s); }
            @Override public void command(VmCommand c) { w.command(c); }
            @Override public void packagedData(ByteBuffer d) { w.packagedData(d); }
            @Override public void eof(long o) { w.eof(o); }
            @Override public void vmdesc(Vmdesc v) { w.vmdesc(v); }
            @Override public void end(long t) { w.end(t); }

            @Override
            public void ramRecord(RamRecord r) {
                droppingData = false;
                if (r.block() == null) {
                    w.ramRecord(r);
                    return;
                }
                String name = r.block().name();
                if (r.isZero()) {
                    int n = kept.merge(name, 1, Integer::sum);
                    if (n > keepZeroPerBlock) {
                        return;
                    }
                }
                if (r.isPage() && keptData.merge(name, 1, Integer::sum) > keepDataPerBlock) {
                    droppingData = true;
                    return;
                }
                boolean named = r.blockName() != null;
                if (!named && !name.equals(lastWritten)) {
                    long header = r.header() & ~(long) RamFlags.CONTINUE;
                    r = new RamRecord(r.offset(), header, r.flags() & ~RamFlags.CONTINUE, name, r.block(), r.fill());
                }
                lastWritten = name;
                w.ramRecord(r);
            }
        };
        StreamDecoder d = StreamDecoder.builder(filter).build();
        d.feed(ByteBuffer.wrap(stream));
        d.finish();
        return out.toByteArray();
    }
}
