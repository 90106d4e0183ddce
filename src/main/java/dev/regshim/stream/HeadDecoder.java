package dev.regshim.stream;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The decoder's first stage: the file header ({@link StreamHeader}) and, when it follows, the configuration record:
 *
 * <pre>
 * offset  size
 *  0      1     0x07
 *  1      4     len
 *  5      len   machine type, e.g. "virt-7.2"
 *  5+len        subsections (no section id, no footer), each {@link SubsectionHeader} version 1 then its payload:
 *               configuration/target-page-bits  be32 bits
 *               configuration/capabilities      be32 count, count counted strings
 *               configuration/uuid              16 bytes
 * </pre>
 *
 * It ends at the first byte that is not a subsection; the page size and capabilities it found are then in force.
 */
final class HeadDecoder implements DecoderStage {

    private static final int MACHINE_TYPE_LENGTH_OFFSET = WireFormat.TYPE_BYTES;
    private static final String SUBSECTION_PREFIX = "configuration/";
    private static final int SUBSECTION_VERSION = 1;
    private static final int UUID_BYTES = 16;
    private static final String CAP_IGNORE_SHARED = "x-ignore-shared";
    private static final String CAP_MAPPED_RAM = "mapped-ram";
    private static final String WHERE = "configuration";

    private enum Part { FILE_HEADER, CONFIGURATION_OR_RECORDS, MACHINE_TYPE, SUBSECTIONS }

    private final DecoderContext ctx;
    private Part part = Part.FILE_HEADER;
    private long offset;
    private String machineType;
    private final List<ConfigSubsection> subsections = new ArrayList<>();

    HeadDecoder(DecoderContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public int step(ByteBuffer in) {
        switch (part) {
            case FILE_HEADER: return fileHeader(in);
            case CONFIGURATION_OR_RECORDS: return configurationOrRecords(in);
            case MACHINE_TYPE: return machineType(in);
            default: return subsection(in);
        }
    }

    @Override
    public String inside() {
        return part == Part.FILE_HEADER ? "the file header" : "the configuration";
    }

    private int fileHeader(ByteBuffer in) {
        if (in.remaining() < WireFormat.HEADER_BYTES) {
            return -WireFormat.HEADER_BYTES;
        }
        int version = StreamHeader.check(in, in.position(), ctx.pos);
        ctx.visitor.header(ctx.pos, version);
        part = Part.CONFIGURATION_OR_RECORDS;
        return ctx.consume(in, WireFormat.HEADER_BYTES);
    }

    private int configurationOrRecords(ByteBuffer in) {
        if ((in.get(in.position()) & 0xff) == WireFormat.CONFIGURATION) {
            offset = ctx.pos;
            part = Part.MACHINE_TYPE;
        } else {
            ctx.enter(ctx.records);
        }
        return 0;
    }

    private int machineType(ByteBuffer in) {
        int fixed = WireFormat.CONFIGURATION_HEADER_BYTES;
        if (in.remaining() < fixed) {
            return -fixed;
        }
        long len = in.getInt(in.position() + MACHINE_TYPE_LENGTH_OFFSET) & 0xffff_ffffL;
        if (len > ctx.limits.maxNameLength()) {
            throw ctx.error(ctx.pos + MACHINE_TYPE_LENGTH_OFFSET, WHERE, "machine type length " + len
                    + " exceeds the limit of " + ctx.limits.maxNameLength());
        }
        int need = fixed + (int) len;
        if (in.remaining() < need) {
            return -need;
        }
        byte[] name = new byte[(int) len];
        in.get(in.position() + fixed, name);
        machineType = new String(name, StandardCharsets.ISO_8859_1);
        part = Part.SUBSECTIONS;
        return ctx.consume(in, need);
    }

    private int subsection(ByteBuffer in) {
        int p = in.position();
        if (!SubsectionHeader.startsAt(in, p)) {
            apply();
            ctx.enter(ctx.records);
            return 0;
        }
        int hdr = SubsectionHeader.bytesNeeded(in, p, in.remaining());
        if (in.remaining() < hdr) {
            return -hdr;
        }
        String name = SubsectionHeader.name(in, p);
        int version = SubsectionHeader.version(in, p);
        if (!name.startsWith(SUBSECTION_PREFIX)) {
            throw ctx.error(ctx.pos, WHERE, "subsection '" + SectionHeader.printable(name)
                    + "' does not belong to the configuration");
        }
        if (version != SUBSECTION_VERSION) {
            throw ctx.error(ctx.pos, WHERE, "subsection '" + name + "' version " + Integer.toUnsignedString(version)
                    + " is not supported (expected " + SUBSECTION_VERSION + ")");
        }
        for (ConfigSubsection s : subsections) {
            if (s.name().equals(name)) {
                throw ctx.error(ctx.pos, WHERE, "subsection '" + name + "' appears twice");
            }
        }
        int payload;
        switch (name) {
            case ConfigSubsection.TARGET_PAGE_BITS:
                payload = Integer.BYTES;
                break;
            case ConfigSubsection.UUID:
                payload = UUID_BYTES;
                break;
            case ConfigSubsection.CAPABILITIES:
                payload = capabilitiesLength(in, hdr);
                if (payload < 0) {
                    return payload;
                }
                break;
            default:
                throw ctx.error(ctx.pos, WHERE, "unknown configuration subsection '" + SectionHeader.printable(name)
                        + "'");
        }
        if (in.remaining() < hdr + payload) {
            return -(hdr + payload);
        }
        byte[] data = new byte[payload];
        in.get(p + hdr, data);
        subsections.add(new ConfigSubsection(name, version, data));
        return ctx.consume(in, hdr + payload);
    }

    /** Length of the capabilities payload (be32 count, counted strings), or -need. */
    private int capabilitiesLength(ByteBuffer in, int hdr) {
        int p = in.position() + hdr;
        if (in.remaining() < hdr + Integer.BYTES) {
            return -(hdr + Integer.BYTES);
        }
        long count = in.getInt(p) & 0xffff_ffffL;
        if (count > ctx.limits.maxCapabilities()) {
            throw ctx.error(ctx.pos + hdr, WHERE, "capability count " + count + " exceeds "
                    + ctx.limits.maxCapabilities());
        }
        int len = Integer.BYTES;
        for (int i = 0; i < count; i++) {
            if (in.remaining() < hdr + len + 1) {
                return -(hdr + len + 1);
            }
            len += 1 + (in.get(p + len) & 0xff);
        }
        return len;
    }

    /** Puts the configuration in force: the page size, the capabilities this reader can decode. */
    private void apply() {
        Configuration c = new Configuration(offset, machineType, subsections);
        int bits = c.pageBits();
        if (bits < WireFormat.MIN_PAGE_BITS || bits > WireFormat.MAX_PAGE_BITS) {
            throw ctx.error(offset, WHERE, "target-page-bits " + bits + " is outside "
                    + WireFormat.MIN_PAGE_BITS + ".." + WireFormat.MAX_PAGE_BITS);
        }
        ctx.setPageBits(bits);
        for (String cap : c.capabilities()) {
            if (cap.equals(CAP_IGNORE_SHARED)) {
                ctx.ignoreShared = true;
            } else if (cap.equals(CAP_MAPPED_RAM)) {
                throw ctx.error(offset, WHERE, "capability 'mapped-ram' is not supported: the RAM is "
                        + "laid out at file offsets, not as a sequential stream");
            } else {
                throw ctx.error(offset, WHERE, "capability '" + SectionHeader.printable(cap)
                        + "' is not supported");
            }
        }
        ctx.visitor.configuration(c);
    }
}
