package dev.regshim.stream;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of the iterative {@code ram} section's START, PART and END records, up to each one's footer: the MEM_SIZE
 * block list that opens START, then ZERO and PAGE records until EOS ({@link RamFlags}). Page data streams through as
 * views of the input; a run of whole same-block records is decoded in one tight loop (the hot path of every read).
 */
final class RamDecoder implements DecoderStage {

    private enum Part { RECORD, BLOCK_LIST, PAGE_DATA, FOOTER }

    private final DecoderContext ctx;
    private Part part = Part.RECORD;

    private final Map<Integer, SectionHeader> starts = new HashMap<>();
    private SectionHeader section;
    private boolean started;
    private boolean ended;

    private boolean expectBlockList;
    private final Map<String, RamBlock> blocks = new LinkedHashMap<>();
    private final List<RamBlock> blockOrder = new ArrayList<>();
    private long blockListOffset;
    private long blockListHeader;
    private long blockListTotal;
    private long blockListRemaining;

    private RamBlock lastBlock;
    private int pageRemaining;

    RamDecoder(DecoderContext ctx) {
        this.ctx = ctx;
    }

    /** Between the RAM START section and the RAM END section's footer. */
    boolean isOpen() {
        return started && !ended;
    }

    /** A START header was read (not yet consumed): RAM records follow. */
    void start(SectionHeader h) {
        if (!h.idstr().equals(WireFormat.RAM_IDSTR)) {
            throw ctx.error(ctx.pos, h.describe(), "iterative section '" + SectionHeader.printable(h.idstr())
                    + "' is not supported (only 'ram'; block migration, dirty bitmaps and VFIO are not)");
        }
        if (started) {
            throw ctx.error(ctx.pos, h.describe(), "a second RAM START section");
        }
        if (h.versionId() != WireFormat.RAM_VERSION) {
            throw ctx.error(ctx.pos, h.describe(), "RAM section version " + Integer.toUnsignedString(h.versionId())
                    + " is not supported (expected " + WireFormat.RAM_VERSION + ")");
        }
        started = true;
        starts.put(h.sectionId(), h);
        expectBlockList = true;
        open(h);
    }

    /** A PART or END header of section {@code id} was read (not yet consumed). */
    void resume(int type, int id) {
        SectionHeader start = starts.get(id);
        if (start == null) {
            throw ctx.error(ctx.pos, String.format("%s section for unknown section id %s (no START seen)",
                    WireFormat.typeName(type), Integer.toUnsignedString(id)));
        }
        if (ended) {
            throw ctx.error(ctx.pos, start.describe(), WireFormat.typeName(type)
                    + " section after the RAM END section");
        }
        SectionHeader h = new SectionHeader(ctx.pos, type, id, start.idstr(), start.instanceId(), start.versionId());
        if (type == WireFormat.SECTION_END) {
            ended = true;
        }
        open(h);
    }

    private void open(SectionHeader h) {
        section = h;
        ctx.visitor.sectionStart(h);
        part = Part.RECORD;
        ctx.enter(this);
    }

    @Override
    public int step(ByteBuffer in) {
        switch (part) {
            case RECORD: {
                int n = run(in);
                return n > 0 ? n : record(in);
            }
            case BLOCK_LIST: return blockListEntry(in);
            case PAGE_DATA: return pageData(in);
            default: return footer(in);
        }
    }

    @Override
    public String inside() {
        switch (part) {
            case RECORD: return "a RAM record";
            case BLOCK_LIST: return "the RAM block list";
            case PAGE_DATA: return "a RAM page";
            default: return "a section footer";
        }
    }

    private String where() {
        return section == null ? null : section.describe();
    }

    // ---------------------------------------------------------------- records

    private int record(ByteBuffer in) {
        if (in.remaining() < RamFlags.RECORD_HEADER_BYTES) {
            return -RamFlags.RECORD_HEADER_BYTES;
        }
        int p = in.position();
        long v = in.getLong(p);
        int flags = (int) (v & ctx.pageMask);
        if (flags == (RamFlags.PAGE | RamFlags.CONTINUE) && lastBlock != null && !expectBlockList) {
            // consecutive page of the same block whose data is not all here
            checkPageOffset(v & ~ctx.pageMask, lastBlock);
            ctx.visitor.ramRecord(new RamRecord(ctx.pos, v, flags, null, lastBlock, -1));
            if (in.remaining() >= RamFlags.RECORD_HEADER_BYTES + ctx.pageSize) {
                if (ctx.wantsPageData) {
                    ctx.visitor.ramPageData(in.slice(p + RamFlags.RECORD_HEADER_BYTES, ctx.pageSize));
                }
                return ctx.consume(in, RamFlags.RECORD_HEADER_BYTES + ctx.pageSize);
            }
            pageRemaining = ctx.pageSize;
            part = Part.PAGE_DATA;
            return ctx.consume(in, RamFlags.RECORD_HEADER_BYTES);
        }
        if ((flags & ~RamFlags.SUPPORTED) != 0) {
            throw ctx.error(ctx.pos, where(), String.format("RAM record flags 0x%x use %s, which this reader cannot "
                    + "decode", flags, RamFlags.describeUnsupported(flags)));
        }
        if (expectBlockList) {
            return blockListHeader(in, v, flags);
        }
        if (flags == RamFlags.EOS) {
            ctx.visitor.ramRecord(new RamRecord(ctx.pos, v, flags, null, null, -1));
            part = Part.FOOTER;
            return ctx.consume(in, RamFlags.RECORD_HEADER_BYTES);
        }
        int kind = flags & ~RamFlags.CONTINUE;
        if (kind != RamFlags.ZERO && kind != RamFlags.PAGE) {
            throw ctx.error(ctx.pos, where(), String.format("invalid RAM record flags 0x%x", flags));
        }
        int need = RamFlags.RECORD_HEADER_BYTES;
        String name = null;
        RamBlock block;
        if ((flags & RamFlags.CONTINUE) != 0) {
            block = lastBlock;
            if (block == null) {
                throw ctx.error(ctx.pos, where(), "RAM record with CONTINUE but no previous block");
            }
        } else {
            if (in.remaining() < need + 1) {
                return -(need + 1);
            }
            int len = in.get(p + need) & 0xff;
            if (in.remaining() < need + 1 + len) {
                return -(need + 1 + len);
            }
            name = countedString(in, p + need);
            need += 1 + len;
            block = blocks.get(name);
            if (block == null) {
                throw ctx.error(ctx.pos, where(), "page of unknown RAM block '" + SectionHeader.printable(name)
                        + "' (not in the MEM_SIZE list)");
            }
        }
        checkPageOffset(v & ~ctx.pageMask, block);
        int fill = -1;
        if (kind == RamFlags.ZERO) {
            if (in.remaining() < need + 1) {
                return -(need + 1);
            }
            fill = in.get(p + need) & 0xff;
            need += 1;
        }
        ctx.visitor.ramRecord(new RamRecord(ctx.pos, v, flags, name, block, fill));
        lastBlock = block;
        if (kind == RamFlags.PAGE) {
            pageRemaining = ctx.pageSize;
            part = Part.PAGE_DATA;
        }
        return ctx.consume(in, need);
    }

    /**
     * The hot path: a run of CONTINUE page and zero records of the current block that lie wholly in {@code in},
     * decoded in one tight loop. Returns the bytes consumed (0 when the next record needs the general path).
     */
    private int run(ByteBuffer in) {
        RamBlock block = lastBlock;
        if (block == null || expectBlockList) {
            return 0;
        }
        final StreamVisitor visitor = ctx.visitor;
        final boolean wantsPageData = ctx.wantsPageData;
        final int pageSize = ctx.pageSize;
        final long pageMask = ctx.pageMask;
        final int pageRecord = RamFlags.RECORD_HEADER_BYTES + pageSize;
        final int zeroRecord = RamFlags.RECORD_HEADER_BYTES + 1;
        final long used = block.usedLength();
        final long base = ctx.pos;
        final int start = in.position();
        final int limit = in.limit();
        int p = start;
        while (limit - p >= zeroRecord) {
            long v = in.getLong(p);
            int flags = (int) (v & pageMask);
            if (Long.compareUnsigned(v & ~pageMask, used) >= 0) {
                break;
            }
            if (flags == (RamFlags.PAGE | RamFlags.CONTINUE) && limit - p >= pageRecord) {
                visitor.ramRecord(new RamRecord(base + (p - start), v, flags, null, block, -1));
                if (wantsPageData) {
                    visitor.ramPageData(in.slice(p + RamFlags.RECORD_HEADER_BYTES, pageSize));
                }
                p += pageRecord;
            } else if (flags == (RamFlags.ZERO | RamFlags.CONTINUE)) {
                visitor.ramRecord(new RamRecord(base + (p - start), v, flags, null, block,
                        in.get(p + RamFlags.RECORD_HEADER_BYTES) & 0xff));
                p += zeroRecord;
            } else {
                break;
            }
        }
        return p == start ? 0 : ctx.consume(in, p - start);
    }

    private void checkPageOffset(long off, RamBlock block) {
        if (Long.compareUnsigned(off, block.usedLength()) >= 0) {
            throw ctx.error(ctx.pos, where(), String.format("page offset 0x%x is beyond RAM block '%s' (used length "
                    + "0x%x)", off, SectionHeader.printable(block.name()), block.usedLength()));
        }
    }

    private int pageData(ByteBuffer in) {
        int n = Math.min(pageRemaining, in.remaining());
        if (ctx.wantsPageData) {
            ctx.visitor.ramPageData(in.slice(in.position(), n));
        }
        pageRemaining -= n;
        if (pageRemaining == 0) {
            part = Part.RECORD;
        }
        return ctx.consume(in, n);
    }

    private static String countedString(ByteBuffer in, int p) {
        byte[] name = new byte[in.get(p) & 0xff];
        in.get(p + 1, name);
        return new String(name, StandardCharsets.ISO_8859_1);
    }

    // ---------------------------------------------------------------- the MEM_SIZE block list

    private int blockListHeader(ByteBuffer in, long v, int flags) {
        if (flags != RamFlags.MEM_SIZE) {
            throw ctx.error(ctx.pos, where(), String.format("the RAM START section must begin with the MEM_SIZE "
                    + "block list, found flags 0x%x", flags));
        }
        expectBlockList = false;
        blockListOffset = ctx.pos;
        blockListHeader = v;
        blockListTotal = v & ~ctx.pageMask;
        blockListRemaining = blockListTotal;
        part = blockListRemaining == 0 ? Part.RECORD : Part.BLOCK_LIST;
        if (blockListRemaining == 0) {
            ctx.visitor.ramBlockList(new RamBlockList(blockListOffset, v, 0, List.of()));
        }
        return ctx.consume(in, RamFlags.RECORD_HEADER_BYTES);
    }

    /** {@code u8 len, idstr, be64 used_length, [be64 page_size], [be64 mr_addr]}: see {@link RamFlags}. */
    private int blockListEntry(ByteBuffer in) {
        if (in.remaining() < 1) {
            return -1;
        }
        int p = in.position();
        int len = in.get(p) & 0xff;
        if (len == 0) {
            throw ctx.error(ctx.pos, where(), "RAM block with an empty name in the MEM_SIZE list");
        }
        int need = 1 + len + Long.BYTES;
        boolean maybePageSize = ctx.postcopyAdvised;
        if (maybePageSize && ctx.ignoreShared) {
            throw ctx.error(ctx.pos, where(), "postcopy-ram together with x-ignore-shared: the block list's optional "
                    + "page sizes cannot be told apart from the region addresses");
        }
        int optional = maybePageSize || ctx.ignoreShared ? Long.BYTES : 0;
        if (in.remaining() < need + optional) {
            return -(need + optional);
        }
        String name = countedString(in, p);
        long used = in.getLong(p + 1 + len);
        if (Long.compareUnsigned(used, blockListRemaining) > 0) {
            throw ctx.error(ctx.pos, where(), String.format("RAM block '%s' used length 0x%x exceeds what is left of "
                    + "the MEM_SIZE total (0x%x)", SectionHeader.printable(name), used, blockListRemaining));
        }
        long remainingAfter = blockListRemaining - used;
        long pageSize = RamBlock.ABSENT;
        if (maybePageSize) {
            long next = in.getLong(p + need);
            boolean present = remainingAfter > 0 ? (next >>> 56) == 0 : next != RamFlags.EOS;
            if (present) {
                if (Long.bitCount(next) != 1 || Long.compareUnsigned(next, 1L << WireFormat.MIN_PAGE_BITS) < 0) {
                    throw ctx.error(ctx.pos + need, where(), String.format("RAM block '%s' page size 0x%x is not a "
                            + "power of two", SectionHeader.printable(name), next));
                }
                pageSize = next;
                need += Long.BYTES;
            }
        }
        long mrAddr = RamBlock.ABSENT;
        if (ctx.ignoreShared) {
            if (in.remaining() < need + Long.BYTES) {
                return -(need + Long.BYTES);
            }
            mrAddr = in.getLong(p + need);
            need += Long.BYTES;
        }
        if (blocks.containsKey(name)) {
            throw ctx.error(ctx.pos, where(), "RAM block '" + SectionHeader.printable(name) + "' is listed twice");
        }
        if (blocks.size() >= ctx.limits.maxRamBlocks()) {
            throw ctx.error(ctx.pos, where(), "more than " + ctx.limits.maxRamBlocks() + " RAM blocks");
        }
        RamBlock block = new RamBlock(name, used, pageSize, mrAddr);
        blocks.put(name, block);
        blockOrder.add(block);
        blockListRemaining = remainingAfter;
        if (blockListRemaining == 0) {
            ctx.visitor.ramBlockList(new RamBlockList(blockListOffset, blockListHeader, blockListTotal, blockOrder));
            part = Part.RECORD;
        }
        return ctx.consume(in, need);
    }

    // ---------------------------------------------------------------- the footer

    private int footer(ByteBuffer in) {
        if (in.remaining() < WireFormat.FOOTER_BYTES) {
            return -WireFormat.FOOTER_BYTES;
        }
        int p = in.position();
        if (!SectionFooter.startsAt(in, p)) {
            throw ctx.error(ctx.pos, section.describe(), String.format("missing section footer: found 0x%02x after "
                    + "the RAM EOS record", in.get(p) & 0xff));
        }
        SectionFooter.checkNames(in, p, ctx.pos, section);
        ctx.visitor.sectionFooter(section, ctx.pos);
        ctx.enter(ctx.records);
        return ctx.consume(in, WireFormat.FOOTER_BYTES);
    }
}
