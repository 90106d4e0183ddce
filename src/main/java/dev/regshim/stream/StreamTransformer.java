package dev.regshim.stream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Streaming rewrite of a migration stream, shared by the offline rewriter and the live proxy: input → output with
 * every byte passed through unchanged except the cpreg arrays of the cpu sections a {@link CpuSectionHandler} asks to
 * replace, and the vmdesc trailer's {@code array_len}s that describe them ({@link CpregEdits}).
 * <p>
 * RAM streams through without being held (each input chunk is decoded, re-encoded and flushed before the next read,
 * so a socket peer sees pages promptly). The device state after RAM is buffered up to
 * {@link StreamLimits#maxBufferedDeviceBytes} until it can be walked (files: not at all, the trailer is read first).
 * The handler sees each cpu section, fully decoded, and returns {@link CpregReplacement#unchanged()} or new arrays.
 * <p>
 * Blocking I/O; one instance can run any number of transforms, one at a time per thread.
 */
public final class StreamTransformer {

    /** Decides, per vCPU, what its cpreg arrays become. */
    @FunctionalInterface
    public interface CpuSectionHandler {
        CpregReplacement onCpuSection(CpuSection cpu);
    }

    private final CpuSectionHandler handler;
    private final ReadOptions options;

    private StreamTransformer(CpuSectionHandler handler, ReadOptions options) {
        this.handler = handler;
        this.options = options;
    }

    public static StreamTransformer of(CpuSectionHandler handler) {
        return new StreamTransformer(handler, ReadOptions.defaults());
    }

    public static StreamTransformer of(CpuSectionHandler handler, ReadOptions options) {
        return new StreamTransformer(handler, options);
    }

    /** A handler that keeps every section (a verified copy). */
    public static CpuSectionHandler identity() {
        return cpu -> CpregReplacement.unchanged();
    }

    /**
     * Transforms a file; its trailer is read first so nothing but the current section is buffered, and it is read
     * through mapped windows.
     */
    public TransformResult transform(Path in, OutputStream out) throws IOException {
        try (FileChannel ch = FileChannel.open(in, StandardOpenOption.READ)) {
            Vmdesc ahead = options.ignoreVmdesc() ? null : StreamReader.readTrailer(ch, options.limits()).orElse(null);
            return run(out, ahead, (d, flush) -> StreamReader.pumpMapped(ch, d, options, flush));
        }
    }

    /** Transforms a pipe or socket stream. */
    public TransformResult transform(InputStream in, OutputStream out) throws IOException {
        return transform(Channels.newChannel(in), out);
    }

    public TransformResult transform(ReadableByteChannel in, OutputStream out) throws IOException {
        return run(out, null, (d, flush) -> StreamReader.pump(in, d, options, flush));
    }

    /** Feeds the whole input to a decoder, calling the hook after each piece; returns the bytes read. */
    @FunctionalInterface
    private interface Source {
        long pump(StreamDecoder d, StreamReader.ChunkHook afterChunk) throws IOException;
    }

    private TransformResult run(OutputStream out, Vmdesc ahead, Source source) throws IOException {
        StreamWriter writer = new StreamWriter(out);
        Rewriting v = new Rewriting(writer);
        StreamDecoder d = StreamDecoder.builder(v).limits(options.limits()).knownVmdesc(ahead)
                .ignoreVmdesc(options.ignoreVmdesc()).build();
        long total = source.pump(d, writer::flush);
        writer.flush();
        return new TransformResult(total, writer.written(), v.dataPages, v.zeroPages, v.sections, v.cpuSections,
                v.edits.changes(), v.vmdescPresent, v.vmdescUpdated, v.packaged);
    }

    /** Passes events to the writer, replacing cpu arrays and the vmdesc counts that describe them. */
    private final class Rewriting implements StreamVisitor {
        private final StreamWriter w;
        private final CpregEdits edits = new CpregEdits(handler, options.limits());
        private long dataPages;
        private long zeroPages;
        private int sections;
        private int cpuSections;
        private boolean vmdescPresent;
        private boolean vmdescUpdated;
        private long packaged;

        Rewriting(StreamWriter w) {
            this.w = w;
        }

        @Override
        public void header(long offset, int version) {
            w.header(offset, version);
        }

        @Override
        public void configuration(Configuration c) {
            w.configuration(c);
        }

        @Override
        public void sectionStart(SectionHeader h) {
            sections++;
            w.sectionStart(h);
        }

        @Override
        public void ramBlockList(RamBlockList blocks) {
            w.ramBlockList(blocks);
        }

        @Override
        public void ramRecord(RamRecord r) {
            if (r.isPage()) {
                dataPages++;
            } else if (r.isZero()) {
                zeroPages++;
            }
            w.ramRecord(r);
        }

        @Override
        public void ramPageData(ByteBuffer data) {
            w.ramPageData(data);
        }

        @Override
        public void sectionFooter(SectionHeader section, long offset) {
            w.sectionFooter(section, offset);
        }

        @Override
        public void deviceSection(DeviceSection s) {
            sections++;
            if (s.cpu() != null) {
                cpuSections++;
            }
            w.deviceSection(edits.apply(s));
        }

        @Override
        public void command(VmCommand c) {
            w.command(c);
        }

        @Override
        public void packagedData(ByteBuffer data) {
            packaged += data.remaining();
            w.packagedData(data);
        }

        @Override
        public void eof(long offset) {
            w.eof(offset);
        }

        @Override
        public void vmdesc(Vmdesc v) {
            vmdescPresent = true;
            Vmdesc out = edits.apply(v);
            vmdescUpdated = out != v;
            w.vmdesc(out);
        }

        @Override
        public void end(long totalBytes) {
            w.end(totalBytes);
        }
    }
}
