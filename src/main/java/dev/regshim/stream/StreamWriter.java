package dev.regshim.stream;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * Encodes {@link StreamVisitor} events back into stream bytes: feeding it a decoder's events reproduces the input
 * byte for byte ({@code write(read(s)) == s}), and feeding it changed events (a cpu section with other arrays, an
 * updated vmdesc) writes the changed stream. Output is buffered; {@link #flush()} pushes it to the underlying stream
 * (the transform flushes after every input chunk so RAM pages are not held back).
 */
public final class StreamWriter implements StreamVisitor {

    private static final int BUFFER = 64 << 10;

    private final OutputStream out;
    private final byte[] buf = new byte[BUFFER];
    private int len;
    private long written;

    /** Page data at least this long goes straight to a {@link ByteBufferSink} output. */
    private static final int PASS_THROUGH_BYTES = 1024;

    private final ByteBufferSink sink;

    public StreamWriter(OutputStream out) {
        this.out = out;
        this.sink = out instanceof ByteBufferSink s ? s : null;
    }

    /** Bytes written so far (including what is still buffered). */
    public long written() {
        return written;
    }

    public void flush() {
        try {
            drain();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void drain() throws IOException {
        if (len > 0) {
            out.write(buf, 0, len);
            len = 0;
        }
    }

    private void u8(int v) {
        if (len == BUFFER) {
            flushBuffer();
        }
        buf[len++] = (byte) v;
        written++;
    }

    private void be16(int v) {
        u8(v >>> 8);
        u8(v);
    }

    private void be32(int v) {
        if (BUFFER - len < Integer.BYTES) {
            flushBuffer();
        }
        Bytes.putBe32(buf, len, v);
        len += Integer.BYTES;
        written += Integer.BYTES;
    }

    private void be64(long v) {
        if (BUFFER - len < Long.BYTES) {
            flushBuffer();
        }
        Bytes.putBe64(buf, len, v);
        len += Long.BYTES;
        written += Long.BYTES;
    }

    private void bytes(byte[] b, int off, int n) {
        if (n > BUFFER - len) {
            flushBuffer();
            if (n >= BUFFER) {
                try {
                    out.write(b, off, n);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                written += n;
                return;
            }
        }
        System.arraycopy(b, off, buf, len, n);
        len += n;
        written += n;
    }

    private void bytes(byte[] b) {
        bytes(b, 0, b.length);
    }

    private void bytes(ByteBuffer data) {
        int n = data.remaining();
        if (n > BUFFER - len) {
            flushBuffer();
        }
        if (n <= BUFFER - len) {
            data.get(data.position(), buf, len, n);
            len += n;
            written += n;
        } else {
            byte[] tmp = new byte[n];
            data.get(data.position(), tmp, 0, n);
            bytes(tmp);
        }
    }

    private void countedString(String s) {
        u8(s.length());
        for (int i = 0; i < s.length(); i++) {
            u8(s.charAt(i));
        }
    }

    private void flushBuffer() {
        try {
            drain();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void header(long offset, int version) {
        be32(WireFormat.MAGIC);
        be32(version);
    }

    @Override
    public void configuration(Configuration c) {
        u8(WireFormat.CONFIGURATION);
        byte[] name = c.machineTypeBytes();
        be32(name.length);
        bytes(name);
        for (ConfigSubsection s : c.subsections()) {
            u8(WireFormat.SUBSECTION);
            countedString(s.name());
            be32(s.version());
            bytes(s.payload());
        }
    }

    @Override
    public void sectionStart(SectionHeader h) {
        writeHeader(h);
    }

    private void writeHeader(SectionHeader h) {
        u8(h.type());
        be32(h.sectionId());
        if (h.hasFullHeader()) {
            countedString(h.idstr());
            be32(h.instanceId());
            be32(h.versionId());
        }
    }

    @Override
    public void ramBlockList(RamBlockList list) {
        be64(list.header());
        for (RamBlock b : list.blocks()) {
            countedString(b.name());
            be64(b.usedLength());
            if (b.hasPageSize()) {
                be64(b.pageSize());
            }
            if (b.hasMrAddr()) {
                be64(b.mrAddr());
            }
        }
    }

    @Override
    public void ramRecord(RamRecord r) {
        be64(r.header());
        if (r.blockName() != null) {
            countedString(r.blockName());
        }
        if (r.isZero()) {
            u8(r.fill());
        }
    }

    @Override
    public void ramPageData(ByteBuffer data) {
        int n = data.remaining();
        if (sink == null || n < PASS_THROUGH_BYTES) {
            bytes(data);
            return;
        }
        try {
            drain();
            sink.write(data.duplicate());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        written += n;
    }

    @Override
    public void sectionFooter(SectionHeader section, long offset) {
        footer(section.sectionId());
    }

    private void footer(int id) {
        u8(WireFormat.SECTION_FOOTER);
        be32(id);
    }

    @Override
    public void deviceSection(DeviceSection s) {
        writeHeader(s.header());
        bytes(s.currentBody());
        footer(s.header().sectionId());
    }

    @Override
    public void command(VmCommand c) {
        u8(WireFormat.COMMAND);
        be16(c.cmd());
        be16(c.data().length);
        bytes(c.data());
    }

    @Override
    public void packagedData(ByteBuffer data) {
        bytes(data);
    }

    @Override
    public void eof(long offset) {
        u8(WireFormat.EOF);
    }

    @Override
    public void vmdesc(Vmdesc v) {
        byte[] json = v.encode();
        u8(WireFormat.VMDESCRIPTION);
        be32(json.length);
        bytes(json);
    }

    @Override
    public void end(long totalBytes) {
        flush();
    }
}
