package dev.regshim.stream;

import java.nio.ByteBuffer;

/**
 * The top level of the stream after the head: reads each record's type byte and header, and hands the record's body
 * to the stage that decodes it: START/PART/END to {@link RamDecoder}, FULL to {@link DeviceStateDecoder}, a PACKAGED
 * command's payload to {@link PackagedPayloadDecoder}, what follows EOF to {@link TrailerDecoder}. Other commands are
 * read here whole ({@link VmCommand}).
 */
final class RecordDecoder implements DecoderStage {

    private final DecoderContext ctx;

    RecordDecoder(DecoderContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public int step(ByteBuffer in) {
        int type = in.get(in.position()) & 0xff;
        switch (type) {
            case WireFormat.SECTION_START:
                return sectionStart(in);
            case WireFormat.SECTION_PART:
            case WireFormat.SECTION_END:
                return sectionPartEnd(in, type);
            case WireFormat.SECTION_FULL:
                if (ctx.ram.isOpen()) {
                    throw ctx.error(ctx.pos, "FULL section before the end of RAM (an early-setup device such as "
                            + "virtio-mem x-early-migration) is not supported");
                }
                return ctx.devices.begin(in);
            case WireFormat.COMMAND:
                return command(in);
            case WireFormat.EOF:
                if (ctx.ram.isOpen()) {
                    throw ctx.error(ctx.pos, "EOF before the RAM END section");
                }
                ctx.visitor.eof(ctx.pos);
                ctx.enter(ctx.trailer);
                return ctx.consume(in, 1);
            case WireFormat.CONFIGURATION:
                throw ctx.error(ctx.pos, "a configuration record is only allowed right after the file header");
            default:
                throw ctx.error(ctx.pos, String.format("unknown section type 0x%02x", type));
        }
    }

    @Override
    public String inside() {
        return "the stream";
    }

    @Override
    public void finish(long end, boolean midToken) {
        throw ctx.error(end, "stream ends before the EOF marker (truncated)");
    }

    private int sectionStart(ByteBuffer in) {
        int p = in.position();
        int need = SectionHeader.bytesNeeded(in, p, in.remaining());
        if (in.remaining() < need) {
            return -need;
        }
        ctx.ram.start(SectionHeader.readFull(in, p, p + need, ctx.pos, ctx.limits));
        return ctx.consume(in, need);
    }

    private int sectionPartEnd(ByteBuffer in, int type) {
        if (in.remaining() < WireFormat.SECTION_ID_BYTES) {
            return -WireFormat.SECTION_ID_BYTES;
        }
        ctx.ram.resume(type, SectionHeader.sectionId(in, in.position()));
        return ctx.consume(in, WireFormat.SECTION_ID_BYTES);
    }

    private int command(ByteBuffer in) {
        if (in.remaining() < WireFormat.COMMAND_HEADER_BYTES) {
            return -WireFormat.COMMAND_HEADER_BYTES;
        }
        int p = in.position();
        int need = VmCommand.checkedLength(in, p, ctx.pos);
        if (in.remaining() < need) {
            return -need;
        }
        VmCommand c = VmCommand.read(in, p, ctx.pos);
        if (c.cmd() == VmCommand.POSTCOPY_ADVISE) {
            ctx.postcopyAdvised = true;
        }
        ctx.visitor.command(c);
        if (c.cmd() == VmCommand.PACKAGED) {
            ctx.packaged.expect(c.packagedLength());
        }
        return ctx.consume(in, need);
    }
}
