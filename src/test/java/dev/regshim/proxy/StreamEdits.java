package dev.regshim.proxy;

import dev.regshim.stream.Configuration;
import dev.regshim.stream.SectionHeader;
import dev.regshim.stream.StreamDecoder;
import dev.regshim.stream.StreamVisitor;
import dev.regshim.stream.StreamWriter;
import dev.regshim.stream.VmCommand;
import dev.regshim.stream.WireFormat;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;

/** Test edits of real streams: commands a live source sends, where RAM ends. */
final class StreamEdits {

    private StreamEdits() {
    }

    /** {@code stream} with these commands inserted right after the configuration section (as QEMU sends them). */
    static byte[] withCommandsAfterConfiguration(byte[] stream, VmCommand... commands) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StreamWriter w = new StreamWriter(out);
        InvocationHandler h = (proxy, m, args) -> {
            Object r = m.invoke(w, args);
            if (m.getName().equals("configuration")) {
                for (VmCommand c : commands) {
                    w.command(c);
                }
            }
            return r;
        };
        StreamVisitor v = (StreamVisitor) Proxy.newProxyInstance(StreamVisitor.class.getClassLoader(),
                new Class<?>[]{StreamVisitor.class}, h);
        StreamDecoder d = StreamDecoder.builder(v).build();
        d.feed(ByteBuffer.wrap(stream));
        d.finish();
        w.flush();
        return out.toByteArray();
    }

    /** The {@code OPEN_RETURN_PATH} and {@code PING 1} a source with the return-path capability sends. */
    static VmCommand[] returnPathCommands() {
        return new VmCommand[]{new VmCommand(0, VmCommand.OPEN_RETURN_PATH, new byte[0]),
            new VmCommand(0, VmCommand.PING, new byte[]{0, 0, 0, 1})};
    }

    /** Offset just after the footer of the RAM END section. */
    static long ramEnd(byte[] stream) {
        long[] end = {-1};
        int[] ramId = {-1};
        StreamDecoder d = StreamDecoder.builder(new StreamVisitor() {
            @Override
            public void sectionStart(SectionHeader h) {
                if (h.type() == WireFormat.SECTION_START && WireFormat.RAM_IDSTR.equals(h.idstr())) {
                    ramId[0] = h.sectionId();
                }
            }

            @Override
            public void sectionFooter(SectionHeader section, long offset) {
                if (section.type() == WireFormat.SECTION_END && section.sectionId() == ramId[0]) {
                    end[0] = offset + WireFormat.FOOTER_BYTES;
                }
            }

            @Override
            public void configuration(Configuration c) {
            }
        }).build();
        d.feed(ByteBuffer.wrap(stream));
        d.finish();
        return end[0];
    }
}
