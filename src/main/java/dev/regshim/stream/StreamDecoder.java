package dev.regshim.stream;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Incremental (push) decoder of a QEMU migration stream ({@link WireFormat}). Feed it input in chunks of any size with
 * {@link #feed}, then call {@link #finish} at end of input; it reports the structure to a {@link StreamVisitor}.
 * <p>
 * Like a Netty frame decoder it never half-consumes input: a token (section header, RAM record header, footer,
 * command, block-list entry) is decoded only once all its bytes are present; a token cut by a chunk boundary is kept
 * in a small stash until the rest arrives. Page data and PACKAGED payloads stream through as views of the input
 * without being copied. The results are the same whether the input comes whole, one byte at a time or in random
 * chunks.
 * <p>
 * Device sections (FULL) carry no length. With a vmdesc known up front ({@link Builder#knownVmdesc}, e.g. read from the
 * end of a file first) each section is delimited by its field sizes as it arrives. Otherwise the device state after RAM
 * is buffered (bounded by {@link StreamLimits#maxBufferedDeviceBytes}) until the trailer arrives, then walked with it;
 * with no trailer (or {@link Builder#ignoreVmdesc}) cpu sections are walked by their known layout and other sections
 * end at their footer.
 * <p>
 * Not thread-safe. After a {@link StreamFormatException} the decoder is unusable.
 */
public final class StreamDecoder {

    /** Largest token held in the stash: a command with a 64 KiB payload, a capability list. */
    private static final int STASH_MAX = 128 << 10;
    private static final int STASH_INITIAL = 512;
    /** QEMU has ~20 migration capabilities; a longer list in the configuration is hostile. */
    private static final int MAX_CAPABILITIES = 64;
    private static final int RAM_VERSION = 4;
    private static final int DEFAULT_PAGE_BITS = 12;
    private static final String CONFIG_PREFIX = "configuration/";
    private static final String CAP_IGNORE_SHARED = "x-ignore-shared";
    private static final String CAP_MAPPED_RAM = "mapped-ram";
    /** {@code 7e <id> 00 06 <be32 len> '{'}: footer, EOF, trailer header, start of the JSON. */
    private static final int TRAILER_PATTERN_BYTES = WireFormat.FOOTER_BYTES + 1 + WireFormat.VMDESC_HEADER_BYTES + 1;

    private enum State {
        HEADER, CONFIG_OR_TOP, CONFIG_NAME, CONFIG_SUB, TOP, RAM_RECORD, RAM_BLOCK, PAGE_DATA, RAM_FOOTER,
        SECTION_ACCUM, REGION_ACCUM, PACKAGED_DATA, AFTER_EOF, VMDESC_HEADER, VMDESC_DATA, DONE
    }

    private final StreamVisitor visitor;
    private final StreamLimits limits;
    private final Vmdesc knownVmdesc;
    private final boolean ignoreVmdesc;
    private final SectionWalker walker;
    private final boolean wantsPageData;

    private State state = State.HEADER;
    private long pos;
    private boolean failed;

    private byte[] stash = new byte[STASH_INITIAL];
    private int stashLen;
    private int pendingNeed;
    private byte[] scratch = new byte[STASH_INITIAL];

    // configuration
    private String machineType;
    private long configOffset;
    private final List<ConfigSubsection> configSubs = new ArrayList<>();
    private int pageBits = DEFAULT_PAGE_BITS;
    private int pageSize = 1 << DEFAULT_PAGE_BITS;
    private long pageMask = pageSize - 1;
    private boolean ignoreShared;
    private boolean postcopyAdvised;

    // RAM
    private final Map<Integer, SectionHeader> iterative = new HashMap<>();
    private SectionHeader ramSection;
    private boolean ramStarted;
    private boolean ramEnded;
    private boolean expectBlockList;
    private final Map<String, RamBlock> blocks = new LinkedHashMap<>();
    private final List<RamBlock> blockOrder = new ArrayList<>();
    private long blockListOffset;
    private long blockListHeader;
    private long blockListTotal;
    private long blockListRemaining;
    private RamBlock lastBlock;
    private int pageRemaining;

    // device sections
    private int deviceSections;
    private SectionHeader accumHeader;
    private GrowableBytes accum;
    private int accumWant;
    private GrowableBytes region;
    private long regionOffset;
    private int regionScan;
    private boolean regionResolved;
    private long packagedRemaining;
    private long vmdescOffset;
    private int vmdescLen;
    private boolean eofSeen;

    private StreamDecoder(Builder b) {
        this.visitor = b.visitor;
        this.limits = b.limits;
        this.knownVmdesc = b.ignoreVmdesc ? null : b.knownVmdesc;
        this.ignoreVmdesc = b.ignoreVmdesc;
        this.walker = new SectionWalker(limits);
        this.wantsPageData = visitor.wantsPageData();
    }

    public static Builder builder(StreamVisitor visitor) {
        return new Builder(visitor);
    }

    /** Options of a decoder. */
    public static final class Builder {
        private final StreamVisitor visitor;
        private StreamLimits limits = StreamLimits.defaults();
        private Vmdesc knownVmdesc;
        private boolean ignoreVmdesc;

        private Builder(StreamVisitor visitor) {
            this.visitor = visitor;
        }

        public Builder limits(StreamLimits l) {
            this.limits = l;
            return this;
        }

        /** The trailer, read ahead (from the end of a file): device sections are then walked as they arrive. */
        public Builder knownVmdesc(Vmdesc v) {
            this.knownVmdesc = v;
            return this;
        }

        /** Walk device sections without the vmdesc even if the stream has one (cpu by layout, others by footer). */
        public Builder ignoreVmdesc(boolean ignore) {
            this.ignoreVmdesc = ignore;
            return this;
        }

        public StreamDecoder build() {
            return new StreamDecoder(this);
        }
    }

    /** Bytes consumed so far (the offset of the next byte expected). */
    public long position() {
        return pos + stashLen;
    }

    /** The page size in force (from the configuration). */
    public int pageSize() {
        return pageSize;
    }

    // ===================================================================== driving

    /** Decodes as much of {@code in} as possible; all of it is consumed (a partial token is stashed). */
    public void feed(ByteBuffer in) {
        if (failed) {
            throw new IllegalStateException("decoder already failed");
        }
        try {
            feed0(in);
        } catch (RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    public void feed(byte[] b, int off, int len) {
        feed(ByteBuffer.wrap(b, off, len));
    }

    private void feed0(ByteBuffer in) {
        while (true) {
            if (stashLen > 0) {
                int missing = pendingNeed - stashLen;
                if (missing > 0) {
                    int take = Math.min(missing, in.remaining());
                    in.get(stash, stashLen, take);
                    stashLen += take;
                    if (stashLen < pendingNeed) {
                        return;
                    }
                }
                ByteBuffer w = ByteBuffer.wrap(stash, 0, stashLen);
                int r = runSteps(w);
                if (r < 0) {
                    int rem = w.remaining();
                    System.arraycopy(stash, w.position(), stash, 0, rem);
                    stashLen = rem;
                    needStash(-r);
                    if (!in.hasRemaining()) {
                        return;
                    }
                    continue;
                }
                stashLen = 0;
            }
            if (!in.hasRemaining()) {
                return;
            }
            int r = runSteps(in);
            if (r < 0) {
                int rem = in.remaining();
                needStash(-r);
                in.get(stash, 0, rem);
                stashLen = rem;
            }
            return;
        }
    }

    private void needStash(int need) {
        if (need > STASH_MAX) {
            throw error(pos, "a single record of " + need + " bytes is larger than the reader's token limit");
        }
        if (need > stash.length) {
            stash = Arrays.copyOf(stash, Math.max(need, stash.length * 2));
        }
        pendingNeed = need;
    }

    private int runSteps(ByteBuffer w) {
        while (w.hasRemaining()) {
            int r = step(w);
            if (r < 0) {
                return r;
            }
        }
        return 0;
    }

    /** Signals end of input; checks that the stream is complete and emits what was buffered. */
    public void finish() {
        if (failed) {
            throw new IllegalStateException("decoder already failed");
        }
        try {
            finish0();
        } catch (RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    private void finish0() {
        long end = pos + stashLen;
        switch (state) {
            case AFTER_EOF:
            case DONE:
                if (stashLen > 0) {
                    throw error(end, "stream ends inside " + describeState() + " (truncated)");
                }
                break;
            case REGION_ACCUM:
                new DeviceRegion(limits, visitor).walkByLayout(region.array(), region.length(), regionOffset, true);
                region = null;
                break;
            case TOP:
                throw error(end, "stream ends before the EOF marker (truncated)");
            default:
                throw error(end, "stream ends inside " + describeState() + " (truncated)");
        }
        visitor.end(end);
    }

    private String describeState() {
        switch (state) {
            case HEADER: return "the file header";
            case CONFIG_OR_TOP:
            case CONFIG_NAME:
            case CONFIG_SUB: return "the configuration";
            case RAM_RECORD: return "a RAM record";
            case RAM_BLOCK: return "the RAM block list";
            case PAGE_DATA: return "a RAM page";
            case RAM_FOOTER: return "a section footer";
            case SECTION_ACCUM: return "a device section";
            case PACKAGED_DATA: return "a PACKAGED payload";
            case VMDESC_HEADER:
            case VMDESC_DATA: return "the vmdesc trailer";
            default: return "the stream";
        }
    }

    // ===================================================================== steps

    /** Processes one token from {@code in}; returns the bytes consumed (&gt; 0) or -n when n bytes are needed. */
    private int step(ByteBuffer in) {
        switch (state) {
            case HEADER: return header(in);
            case CONFIG_OR_TOP: return configOrTop(in);
            case CONFIG_NAME: return configName(in);
            case CONFIG_SUB: return configSub(in);
            case TOP: return top(in);
            case RAM_RECORD: {
                int n = ramRun(in);
                return n > 0 ? n : ramRecord(in);
            }
            case RAM_BLOCK: return ramBlock(in);
            case PAGE_DATA: return pageData(in);
            case RAM_FOOTER: return ramFooter(in);
            case SECTION_ACCUM: return sectionAccum(in);
            case REGION_ACCUM: return regionAccum(in);
            case PACKAGED_DATA: return packagedData(in);
            case AFTER_EOF: return afterEof(in);
            case VMDESC_HEADER: return vmdescHeader(in);
            case VMDESC_DATA: return vmdescData(in);
            case DONE:
            default:
                throw error(pos, in.remaining() + (in.remaining() == 1 ? " byte" : " bytes")
                        + " of junk after the vmdesc trailer");
        }
    }

    private int consume(ByteBuffer in, int n) {
        in.position(in.position() + n);
        pos += n;
        return n;
    }

    /** Copies {@code n} bytes at the token start into the scratch array (for non-hot tokens). */
    private byte[] peek(ByteBuffer in, int n) {
        if (scratch.length < n) {
            scratch = new byte[Math.max(n, scratch.length * 2)];
        }
        in.get(in.position(), scratch, 0, n);
        return scratch;
    }

    private int header(ByteBuffer in) {
        if (in.remaining() < WireFormat.HEADER_BYTES) {
            return -WireFormat.HEADER_BYTES;
        }
        int magic = in.getInt(in.position());
        int version = in.getInt(in.position() + Integer.BYTES);
        if (magic != WireFormat.MAGIC) {
            throw error(pos, String.format("not a QEMU migration stream: magic 0x%08x, expected 0x%08x (QEVM)", magic,
                    WireFormat.MAGIC));
        }
        if (version != WireFormat.VERSION) {
            throw error(pos + Integer.BYTES, "stream version " + Integer.toUnsignedString(version)
                    + (version == 2 ? " (the obsolete SaveVM v2 format)" : "") + " is not supported; expected 3");
        }
        visitor.header(pos, version);
        state = State.CONFIG_OR_TOP;
        return consume(in, WireFormat.HEADER_BYTES);
    }

    // ---------------------------------------------------------------- configuration

    private int configOrTop(ByteBuffer in) {
        if ((in.get(in.position()) & 0xff) == WireFormat.CONFIGURATION) {
            configOffset = pos;
            state = State.CONFIG_NAME;
        } else {
            state = State.TOP;
        }
        return step(in);
    }

    private int configName(ByteBuffer in) {
        int fixed = 1 + Integer.BYTES;
        if (in.remaining() < fixed) {
            return -fixed;
        }
        long len = in.getInt(in.position() + 1) & 0xffff_ffffL;
        if (len > limits.maxNameLength()) {
            throw error(pos + 1, "configuration", "machine type length " + len + " exceeds the limit of "
                    + limits.maxNameLength());
        }
        int need = fixed + (int) len;
        if (in.remaining() < need) {
            return -need;
        }
        machineType = new String(peek(in, need), fixed, (int) len, StandardCharsets.ISO_8859_1);
        state = State.CONFIG_SUB;
        return consume(in, need);
    }

    private int configSub(ByteBuffer in) {
        if ((in.get(in.position()) & 0xff) != WireFormat.SUBSECTION) {
            applyConfiguration();
            state = State.TOP;
            return step(in);
        }
        if (in.remaining() < 2) {
            return -2;
        }
        int nameLen = in.get(in.position() + 1) & 0xff;
        int hdr = WireFormat.SUBSECTION_HEADER_FIXED_BYTES + nameLen;
        if (in.remaining() < hdr) {
            return -hdr;
        }
        byte[] b = peek(in, hdr);
        String name = new String(b, 2, nameLen, StandardCharsets.ISO_8859_1);
        int version = Bytes.be32(b, 2 + nameLen);
        if (!name.startsWith(CONFIG_PREFIX)) {
            throw error(pos, "configuration", "subsection '" + SectionHeader.printable(name)
                    + "' does not belong to the configuration");
        }
        if (version != 1) {
            throw error(pos, "configuration", "subsection '" + name + "' version " + Integer.toUnsignedString(version)
                    + " is not supported (expected 1)");
        }
        for (ConfigSubsection s : configSubs) {
            if (s.name().equals(name)) {
                throw error(pos, "configuration", "subsection '" + name + "' appears twice");
            }
        }
        int payload;
        switch (name) {
            case ConfigSubsection.TARGET_PAGE_BITS:
                payload = Integer.BYTES;
                break;
            case ConfigSubsection.UUID:
                payload = 16;
                break;
            case ConfigSubsection.CAPABILITIES:
                payload = capabilitiesLength(in, hdr);
                if (payload < 0) {
                    return payload;
                }
                break;
            default:
                throw error(pos, "configuration", "unknown configuration subsection '" + SectionHeader.printable(name)
                        + "'");
        }
        if (in.remaining() < hdr + payload) {
            return -(hdr + payload);
        }
        byte[] all = peek(in, hdr + payload);
        configSubs.add(new ConfigSubsection(name, version, Arrays.copyOfRange(all, hdr, hdr + payload)));
        return consume(in, hdr + payload);
    }

    /** Length of the capabilities payload (be32 count, counted strings), or -need. */
    private int capabilitiesLength(ByteBuffer in, int hdr) {
        int p = in.position() + hdr;
        if (in.remaining() < hdr + Integer.BYTES) {
            return -(hdr + Integer.BYTES);
        }
        long count = in.getInt(p) & 0xffff_ffffL;
        if (count > MAX_CAPABILITIES) {
            throw error(pos + hdr, "configuration", "capability count " + count + " exceeds " + MAX_CAPABILITIES);
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

    private void applyConfiguration() {
        Configuration c = new Configuration(configOffset, machineType, configSubs);
        int bits = c.pageBits();
        if (bits < WireFormat.MIN_PAGE_BITS || bits > WireFormat.MAX_PAGE_BITS) {
            throw error(configOffset, "configuration", "target-page-bits " + bits + " is outside "
                    + WireFormat.MIN_PAGE_BITS + ".." + WireFormat.MAX_PAGE_BITS);
        }
        setPageBits(bits);
        for (String cap : c.capabilities()) {
            if (cap.equals(CAP_IGNORE_SHARED)) {
                ignoreShared = true;
            } else if (cap.equals(CAP_MAPPED_RAM)) {
                throw error(configOffset, "configuration", "capability 'mapped-ram' is not supported: the RAM is "
                        + "laid out at file offsets, not as a sequential stream");
            } else {
                throw error(configOffset, "configuration", "capability '" + SectionHeader.printable(cap)
                        + "' is not supported");
            }
        }
        visitor.configuration(c);
    }

    private void setPageBits(int bits) {
        pageBits = bits;
        pageSize = 1 << bits;
        pageMask = pageSize - 1;
    }

    // ---------------------------------------------------------------- top level

    private int top(ByteBuffer in) {
        int type = in.get(in.position()) & 0xff;
        switch (type) {
            case WireFormat.SECTION_START:
                return sectionStart(in);
            case WireFormat.SECTION_PART:
            case WireFormat.SECTION_END:
                return sectionPartEnd(in, type);
            case WireFormat.SECTION_FULL:
                return sectionFull(in);
            case WireFormat.COMMAND:
                return command(in);
            case WireFormat.EOF:
                if (ramStarted && !ramEnded) {
                    throw error(pos, "EOF before the RAM END section");
                }
                eofSeen = true;
                visitor.eof(pos);
                state = State.AFTER_EOF;
                return consume(in, 1);
            case WireFormat.CONFIGURATION:
                throw error(pos, "a configuration record is only allowed right after the file header");
            default:
                throw error(pos, String.format("unknown section type 0x%02x", type));
        }
    }

    private int sectionStart(ByteBuffer in) {
        int need = WireFormat.SECTION_ID_BYTES + 1;
        if (in.remaining() < need) {
            return -need;
        }
        int len = in.get(in.position() + WireFormat.SECTION_ID_BYTES) & 0xff;
        need = WireFormat.FULL_HEADER_FIXED_BYTES + len;
        if (in.remaining() < need) {
            return -need;
        }
        SectionHeader h = walker.fullHeader(peek(in, need), 0, need, pos);
        if (!h.idstr().equals(WireFormat.RAM_IDSTR)) {
            throw error(pos, h.describe(), "iterative section '" + SectionHeader.printable(h.idstr())
                    + "' is not supported (only 'ram'; block migration, dirty bitmaps and VFIO are not)");
        }
        if (ramStarted) {
            throw error(pos, h.describe(), "a second RAM START section");
        }
        if (h.versionId() != RAM_VERSION) {
            throw error(pos, h.describe(), "RAM section version " + Integer.toUnsignedString(h.versionId())
                    + " is not supported (expected " + RAM_VERSION + ")");
        }
        ramStarted = true;
        iterative.put(h.sectionId(), h);
        ramSection = h;
        expectBlockList = true;
        visitor.sectionStart(h);
        state = State.RAM_RECORD;
        return consume(in, need);
    }

    private int sectionPartEnd(ByteBuffer in, int type) {
        int need = WireFormat.SECTION_ID_BYTES;
        if (in.remaining() < need) {
            return -need;
        }
        int id = in.getInt(in.position() + 1);
        SectionHeader start = iterative.get(id);
        if (start == null) {
            throw error(pos, String.format("%s section for unknown section id %s (no START seen)",
                    WireFormat.typeName(type), Integer.toUnsignedString(id)));
        }
        if (ramEnded) {
            throw error(pos, start.describe(), WireFormat.typeName(type) + " section after the RAM END section");
        }
        SectionHeader h = new SectionHeader(pos, type, id, start.idstr(), start.instanceId(), start.versionId());
        ramSection = h;
        if (type == WireFormat.SECTION_END) {
            ramEnded = true;
        }
        visitor.sectionStart(h);
        state = State.RAM_RECORD;
        return consume(in, need);
    }

    private int sectionFull(ByteBuffer in) {
        if (ramStarted && !ramEnded) {
            throw error(pos, "FULL section before the end of RAM (an early-setup device such as virtio-mem "
                    + "x-early-migration) is not supported");
        }
        if (knownVmdesc == null) {
            region = new GrowableBytes(limits.maxBufferedDeviceBytes());
            regionOffset = pos;
            state = State.REGION_ACCUM;
            return step(in);
        }
        int need = WireFormat.SECTION_ID_BYTES + 1;
        if (in.remaining() < need) {
            return -need;
        }
        int len = in.get(in.position() + WireFormat.SECTION_ID_BYTES) & 0xff;
        need = WireFormat.FULL_HEADER_FIXED_BYTES + len;
        if (in.remaining() < need) {
            return -need;
        }
        SectionHeader h = walker.fullHeader(peek(in, need), 0, need, pos);
        int k = deviceSections++;
        if (deviceSections > limits.maxDeviceSections()) {
            throw error(pos, h.describe(), "more than " + limits.maxDeviceSections() + " device sections");
        }
        if (k >= knownVmdesc.deviceCount()) {
            throw error(pos, h.describe(), "the vmdesc describes only " + knownVmdesc.deviceCount()
                    + " device sections");
        }
        SectionWalker.matchEntry(knownVmdesc.device(k), k, h);
        long total = h.encodedLength() + walker.vmdescBodyLength(knownVmdesc.device(k), pos, h.describe())
                + WireFormat.FOOTER_BYTES;
        accumHeader = h;
        accum = new GrowableBytes((int) total);
        accumWant = (int) total;
        state = State.SECTION_ACCUM;
        return step(in);
    }

    private int sectionAccum(ByteBuffer in) {
        int n = Math.min(in.remaining(), accumWant - accum.length());
        accum.append(in, n);
        pos += n;
        if (accum.length() == accumWant) {
            long base = accumHeader.offset();
            SectionWalker.Walked w = walker.walkVmdesc(accum.array(), 0, accumWant, base, accumHeader,
                    knownVmdesc.device(deviceSections - 1));
            accum = null;
            state = State.TOP;
            visitor.deviceSection(w.section());
        }
        return n;
    }

    // ---------------------------------------------------------------- buffered device region

    private int regionAccum(ByteBuffer in) {
        int n = in.remaining();
        if (!region.append(in, n)) {
            throw error(pos, "device state after RAM exceeds the buffer limit of " + limits.maxBufferedDeviceBytes()
                    + " bytes without reaching EOF and the vmdesc trailer");
        }
        pos += n;
        scanRegion();
        return n;
    }

    /** Looks for {@code 7e <id> 00 06 <len> '{'} and resolves the region once the whole trailer is buffered. */
    private void scanRegion() {
        byte[] b = region.array();
        int len = region.length();
        while (!regionResolved && regionScan + TRAILER_PATTERN_BYTES <= len) {
            int q = regionScan;
            int eof = q + WireFormat.FOOTER_BYTES;
            if (Bytes.u8(b, q) == WireFormat.SECTION_FOOTER && Bytes.u8(b, eof) == WireFormat.EOF
                    && Bytes.u8(b, eof + 1) == WireFormat.VMDESCRIPTION
                    && Bytes.u8(b, eof + 1 + WireFormat.VMDESC_HEADER_BYTES) == '{') {
                long jsonLen = Bytes.be32(b, eof + 2) & 0xffff_ffffL;
                long jsonStart = eof + 1 + WireFormat.VMDESC_HEADER_BYTES;
                if (jsonLen <= limits.maxVmdescBytes()) {
                    if (jsonStart + jsonLen > len) {
                        return; // wait for the rest of the candidate trailer
                    }
                    Vmdesc v = tryVmdesc(b, (int) jsonStart, (int) jsonLen, regionOffset + eof + 1);
                    if (v != null) {
                        resolveRegion(eof, v, (int) (jsonStart + jsonLen));
                        return;
                    }
                }
            }
            regionScan++;
        }
    }

    private Vmdesc tryVmdesc(byte[] b, int start, int len, long offset) {
        try {
            return Vmdesc.parse(Arrays.copyOfRange(b, start, start + len), offset, limits);
        } catch (StreamFormatException e) {
            return null; // not the trailer after all: keep scanning (the final walk reports a bad one)
        }
    }

    private void resolveRegion(int eof, Vmdesc v, int end) {
        regionResolved = true;
        byte[] b = region.array();
        int len = region.length();
        DeviceRegion r = new DeviceRegion(limits, visitor);
        if (ignoreVmdesc) {
            r.walkByLayout(b, eof, regionOffset, false);
        } else {
            r.walkWithVmdesc(b, eof, regionOffset, v);
        }
        eofSeen = true;
        visitor.eof(regionOffset + eof);
        visitor.vmdesc(v);
        if (end < len) {
            throw error(regionOffset + end, (len - end) + " bytes of junk after the vmdesc trailer");
        }
        region = null;
        state = State.DONE;
    }

    // ---------------------------------------------------------------- RAM

    private int ramRecord(ByteBuffer in) {
        if (in.remaining() < RamFlags.RECORD_HEADER_BYTES) {
            return -RamFlags.RECORD_HEADER_BYTES;
        }
        int p = in.position();
        long v = in.getLong(p);
        int flags = (int) (v & pageMask);
        if (flags == (RamFlags.PAGE | RamFlags.CONTINUE) && lastBlock != null && !expectBlockList) {
            // hot path: consecutive page of the same block
            long off = v & ~pageMask;
            checkPageOffset(off, lastBlock);
            visitor.ramRecord(new RamRecord(pos, v, flags, null, lastBlock, -1));
            if (in.remaining() >= RamFlags.RECORD_HEADER_BYTES + pageSize) {
                // the whole page is here: hand it over and stay in RAM_RECORD
                if (wantsPageData) {
                    visitor.ramPageData(in.slice(p + RamFlags.RECORD_HEADER_BYTES, pageSize));
                }
                return consume(in, RamFlags.RECORD_HEADER_BYTES + pageSize);
            }
            pageRemaining = pageSize;
            state = State.PAGE_DATA;
            return consume(in, RamFlags.RECORD_HEADER_BYTES);
        }
        if ((flags & ~RamFlags.SUPPORTED) != 0) {
            throw error(pos, ramWhere(), String.format("RAM record flags 0x%x use %s, which this reader cannot decode",
                    flags, RamFlags.describeUnsupported(flags)));
        }
        if (expectBlockList) {
            if (flags != RamFlags.MEM_SIZE) {
                throw error(pos, ramWhere(), String.format("the RAM START section must begin with the MEM_SIZE block "
                        + "list, found flags 0x%x", flags));
            }
            expectBlockList = false;
            blockListOffset = pos;
            blockListHeader = v;
            blockListTotal = v & ~pageMask;
            blockListRemaining = blockListTotal;
            state = blockListRemaining == 0 ? State.RAM_RECORD : State.RAM_BLOCK;
            if (blockListRemaining == 0) {
                visitor.ramBlockList(new RamBlockList(blockListOffset, v, 0, List.of()));
            }
            return consume(in, RamFlags.RECORD_HEADER_BYTES);
        }
        if (flags == RamFlags.EOS) {
            visitor.ramRecord(new RamRecord(pos, v, flags, null, null, -1));
            state = State.RAM_FOOTER;
            return consume(in, RamFlags.RECORD_HEADER_BYTES);
        }
        int kind = flags & ~RamFlags.CONTINUE;
        if (kind != RamFlags.ZERO && kind != RamFlags.PAGE) {
            throw error(pos, ramWhere(), String.format("invalid RAM record flags 0x%x", flags));
        }
        boolean cont = (flags & RamFlags.CONTINUE) != 0;
        int need = RamFlags.RECORD_HEADER_BYTES;
        String name = null;
        RamBlock block;
        if (cont) {
            block = lastBlock;
            if (block == null) {
                throw error(pos, ramWhere(), "RAM record with CONTINUE but no previous block");
            }
        } else {
            if (in.remaining() < need + 1) {
                return -(need + 1);
            }
            int len = in.get(p + need) & 0xff;
            need += 1 + len;
            if (in.remaining() < need) {
                return -need;
            }
            name = new String(peek(in, need), RamFlags.RECORD_HEADER_BYTES + 1, len, StandardCharsets.ISO_8859_1);
            block = blocks.get(name);
            if (block == null) {
                throw error(pos, ramWhere(), "page of unknown RAM block '" + SectionHeader.printable(name)
                        + "' (not in the MEM_SIZE list)");
            }
        }
        long off = v & ~pageMask;
        checkPageOffset(off, block);
        int fill = -1;
        if (kind == RamFlags.ZERO) {
            if (in.remaining() < need + 1) {
                return -(need + 1);
            }
            fill = in.get(p + need) & 0xff;
            need += 1;
        }
        visitor.ramRecord(new RamRecord(pos, v, flags, name, block, fill));
        lastBlock = block;
        if (kind == RamFlags.PAGE) {
            pageRemaining = pageSize;
            state = State.PAGE_DATA;
        }
        return consume(in, need);
    }

    /**
     * The hot path: a run of CONTINUE page and zero records of the current block that lie wholly in {@code in},
     * decoded in one tight loop. Returns the bytes consumed (0 when the next record needs the general path).
     */
    private int ramRun(ByteBuffer in) {
        RamBlock block = lastBlock;
        if (block == null || expectBlockList) {
            return 0;
        }
        final int pageRecord = RamFlags.RECORD_HEADER_BYTES + pageSize;
        final int zeroRecord = RamFlags.RECORD_HEADER_BYTES + 1;
        final long used = block.usedLength();
        final int start = in.position();
        final int limit = in.limit();
        int p = start;
        while (limit - p >= zeroRecord) {
            long v = in.getLong(p);
            int flags = (int) (v & pageMask);
            long off = v & ~pageMask;
            if (Long.compareUnsigned(off, used) >= 0) {
                break;
            }
            if (flags == (RamFlags.PAGE | RamFlags.CONTINUE) && limit - p >= pageRecord) {
                visitor.ramRecord(new RamRecord(pos + (p - start), v, flags, null, block, -1));
                if (wantsPageData) {
                    visitor.ramPageData(in.slice(p + RamFlags.RECORD_HEADER_BYTES, pageSize));
                }
                p += pageRecord;
            } else if (flags == (RamFlags.ZERO | RamFlags.CONTINUE)) {
                visitor.ramRecord(new RamRecord(pos + (p - start), v, flags, null, block,
                        in.get(p + RamFlags.RECORD_HEADER_BYTES) & 0xff));
                p += zeroRecord;
            } else {
                break;
            }
        }
        int n = p - start;
        if (n > 0) {
            in.position(p);
            pos += n;
        }
        return n;
    }

    private void checkPageOffset(long off, RamBlock block) {
        if (Long.compareUnsigned(off, block.usedLength()) >= 0) {
            throw error(pos, ramWhere(), String.format("page offset 0x%x is beyond RAM block '%s' (used length 0x%x)",
                    off, SectionHeader.printable(block.name()), block.usedLength()));
        }
    }

    private int pageData(ByteBuffer in) {
        int n = Math.min(pageRemaining, in.remaining());
        if (wantsPageData) {
            visitor.ramPageData(in.slice(in.position(), n));
        }
        pageRemaining -= n;
        if (pageRemaining == 0) {
            state = State.RAM_RECORD;
        }
        return consume(in, n);
    }

    private int ramBlock(ByteBuffer in) {
        if (in.remaining() < 1) {
            return -1;
        }
        int p = in.position();
        int len = in.get(p) & 0xff;
        if (len == 0) {
            throw error(pos, ramWhere(), "RAM block with an empty name in the MEM_SIZE list");
        }
        int need = 1 + len + Long.BYTES;
        boolean maybePageSize = postcopyAdvised;
        if (maybePageSize && ignoreShared) {
            throw error(pos, ramWhere(), "postcopy-ram together with x-ignore-shared: the block list's optional page "
                    + "sizes cannot be told apart from the region addresses");
        }
        if (in.remaining() < need + (maybePageSize || ignoreShared ? Long.BYTES : 0)) {
            return -(need + (maybePageSize || ignoreShared ? Long.BYTES : 0));
        }
        byte[] b = peek(in, need);
        String name = new String(b, 1, len, StandardCharsets.ISO_8859_1);
        long used = Bytes.be64(b, 1 + len);
        if (Long.compareUnsigned(used, blockListRemaining) > 0) {
            throw error(pos, ramWhere(), String.format("RAM block '%s' used length 0x%x exceeds what is left of the "
                    + "MEM_SIZE total (0x%x)", SectionHeader.printable(name), used, blockListRemaining));
        }
        long remainingAfter = blockListRemaining - used;
        long pageSz = RamBlock.ABSENT;
        if (maybePageSize) {
            long next = in.getLong(p + need);
            boolean present = remainingAfter > 0 ? (next >>> 56) == 0 : next != RamFlags.EOS;
            if (present) {
                if (Long.bitCount(next) != 1 || Long.compareUnsigned(next, 1L << WireFormat.MIN_PAGE_BITS) < 0) {
                    throw error(pos + need, ramWhere(), String.format("RAM block '%s' page size 0x%x is not a power "
                            + "of two", SectionHeader.printable(name), next));
                }
                pageSz = next;
                need += Long.BYTES;
            }
        }
        long mr = RamBlock.ABSENT;
        if (ignoreShared) {
            if (in.remaining() < need + Long.BYTES) {
                return -(need + Long.BYTES);
            }
            mr = in.getLong(p + need);
            need += Long.BYTES;
        }
        if (blocks.containsKey(name)) {
            throw error(pos, ramWhere(), "RAM block '" + SectionHeader.printable(name) + "' is listed twice");
        }
        if (blocks.size() >= limits.maxRamBlocks()) {
            throw error(pos, ramWhere(), "more than " + limits.maxRamBlocks() + " RAM blocks");
        }
        RamBlock block = new RamBlock(name, used, pageSz, mr);
        blocks.put(name, block);
        blockOrder.add(block);
        blockListRemaining = remainingAfter;
        if (blockListRemaining == 0) {
            visitor.ramBlockList(new RamBlockList(blockListOffset, blockListHeader, blockListTotal, blockOrder));
            state = State.RAM_RECORD;
        }
        return consume(in, need);
    }

    private int ramFooter(ByteBuffer in) {
        if (in.remaining() < WireFormat.FOOTER_BYTES) {
            return -WireFormat.FOOTER_BYTES;
        }
        int type = in.get(in.position()) & 0xff;
        int id = in.getInt(in.position() + 1);
        if (type != WireFormat.SECTION_FOOTER) {
            throw error(pos, ramSection.describe(), String.format("missing section footer: found 0x%02x after the "
                    + "RAM EOS record", type));
        }
        if (id != ramSection.sectionId()) {
            throw error(pos, ramSection.describe(), "footer names section " + Integer.toUnsignedString(id)
                    + ", expected " + Integer.toUnsignedString(ramSection.sectionId()));
        }
        visitor.sectionFooter(ramSection, pos);
        state = State.TOP;
        return consume(in, WireFormat.FOOTER_BYTES);
    }

    private String ramWhere() {
        return ramSection == null ? null : ramSection.describe();
    }

    // ---------------------------------------------------------------- commands, EOF, trailer

    static void checkCommand(int cmd, int len, long offset) {
        if (!VmCommand.isKnown(cmd)) {
            throw new StreamFormatException(offset, null, String.format("unknown command 0x%x (length %d)", cmd, len));
        }
        int expect = VmCommand.expectedLength(cmd);
        if (expect >= 0 && expect != len) {
            throw new StreamFormatException(offset, null, "command " + VmCommand.name(cmd) + " has length " + len
                    + ", expected " + expect);
        }
        if (cmd == VmCommand.POSTCOPY_ADVISE && len != 0 && len != 2 * Long.BYTES) {
            throw new StreamFormatException(offset, null, "command POSTCOPY_ADVISE has length " + len
                    + ", expected 0 or 16");
        }
    }

    private int command(ByteBuffer in) {
        if (in.remaining() < WireFormat.COMMAND_HEADER_BYTES) {
            return -WireFormat.COMMAND_HEADER_BYTES;
        }
        int p = in.position();
        int cmd = in.getShort(p + 1) & 0xffff;
        int len = in.getShort(p + 3) & 0xffff;
        checkCommand(cmd, len, pos);
        int need = WireFormat.COMMAND_HEADER_BYTES + len;
        if (in.remaining() < need) {
            return -need;
        }
        byte[] b = peek(in, need);
        VmCommand c = new VmCommand(pos, cmd, Arrays.copyOfRange(b, WireFormat.COMMAND_HEADER_BYTES, need));
        if (cmd == VmCommand.POSTCOPY_ADVISE) {
            postcopyAdvised = true;
        }
        visitor.command(c);
        if (cmd == VmCommand.PACKAGED) {
            packagedRemaining = c.packagedLength();
            if (packagedRemaining > limits.maxPackagedBytes()) {
                throw error(pos, "PACKAGED payload of " + packagedRemaining + " bytes exceeds the limit of "
                        + limits.maxPackagedBytes());
            }
            if (packagedRemaining > 0) {
                state = State.PACKAGED_DATA;
            }
        }
        return consume(in, need);
    }

    private int packagedData(ByteBuffer in) {
        int n = (int) Math.min(packagedRemaining, in.remaining());
        visitor.packagedData(in.slice(in.position(), n));
        packagedRemaining -= n;
        if (packagedRemaining == 0) {
            state = State.TOP;
        }
        return consume(in, n);
    }

    private int afterEof(ByteBuffer in) {
        int b = in.get(in.position()) & 0xff;
        if (b != WireFormat.VMDESCRIPTION) {
            throw error(pos, String.format("junk after EOF: byte 0x%02x where only the vmdesc trailer (0x06) or the "
                    + "end of the stream may follow", b));
        }
        state = State.VMDESC_HEADER;
        return step(in);
    }

    private int vmdescHeader(ByteBuffer in) {
        if (in.remaining() < WireFormat.VMDESC_HEADER_BYTES) {
            return -WireFormat.VMDESC_HEADER_BYTES;
        }
        long len = in.getInt(in.position() + 1) & 0xffff_ffffL;
        if (len > limits.maxVmdescBytes()) {
            throw error(pos + 1, "vmdesc", "trailer length " + len + " exceeds the limit of "
                    + limits.maxVmdescBytes());
        }
        vmdescOffset = pos;
        vmdescLen = (int) len;
        accum = new GrowableBytes(vmdescLen);
        state = State.VMDESC_DATA;
        consume(in, WireFormat.VMDESC_HEADER_BYTES);
        if (vmdescLen == 0) {
            emitVmdesc();
        }
        return WireFormat.VMDESC_HEADER_BYTES;
    }

    private int vmdescData(ByteBuffer in) {
        int n = Math.min(in.remaining(), vmdescLen - accum.length());
        accum.append(in, n);
        pos += n;
        if (accum.length() == vmdescLen) {
            emitVmdesc();
        }
        return n;
    }

    private void emitVmdesc() {
        byte[] json = Arrays.copyOf(accum.array(), vmdescLen);
        accum = null;
        Vmdesc v = Vmdesc.parse(json, vmdescOffset, limits);
        if (knownVmdesc != null) {
            if (!Arrays.equals(knownVmdesc.raw(), json)) {
                throw error(vmdescOffset, "vmdesc", "the trailer differs from the one read ahead from the end of the "
                        + "file (was the file modified while being read?)");
            }
            if (deviceSections != knownVmdesc.deviceCount()) {
                throw error(vmdescOffset, "vmdesc", "the stream has " + deviceSections
                        + " device sections but the vmdesc describes " + knownVmdesc.deviceCount());
            }
        }
        visitor.vmdesc(v);
        state = State.DONE;
    }

    // ---------------------------------------------------------------- errors

    private StreamFormatException error(long offset, String detail) {
        return new StreamFormatException(offset, null, detail);
    }

    private StreamFormatException error(long offset, String where, String detail) {
        return new StreamFormatException(offset, where, detail);
    }
}
