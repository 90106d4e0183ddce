package dev.regshim.stream;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a stream holds, without its RAM: configuration, RAM blocks with page counts, every section with its offset and
 * length, commands, the decoded cpu sections and the vmdesc. Built by {@link Collector} (see
 * {@link StreamReader#summarize}).
 *
 * @param totalBytes     stream length
 * @param configuration  null when the stream has none
 * @param pageSize       target page size used for RAM
 * @param ramBlocks      per block: zero and data page counts
 * @param sections       every START/PART/END/FULL section in stream order
 * @param commands       top-level commands in stream order
 * @param cpus           the ARM cpu sections in stream order
 * @param vmdesc         the trailer, or null
 * @param eofOffset      offset of the EOF byte
 * @param packagedBytes  PACKAGED payload bytes passed through undecoded
 */
public record StreamSummary(long totalBytes, Configuration configuration, int pageSize, List<RamBlockStats> ramBlocks,
                            List<SectionInfo> sections, List<VmCommand> commands, List<CpuSection> cpus, Vmdesc vmdesc,
                            long eofOffset, long packagedBytes) {

    /** A RAM block and how many of its pages the stream carries as ZERO and as PAGE records. */
    public record RamBlockStats(RamBlock block, long zeroPages, long dataPages) {
    }

    /**
     * A section as it appears on the wire.
     *
     * @param method for FULL sections, how its end was found; null for RAM sections
     */
    public record SectionInfo(long offset, long length, int type, int sectionId, String idstr, int instanceId,
                              int versionId, DeviceSection.WalkMethod method) {
        public String typeName() {
            return WireFormat.typeName(type);
        }

        /** The offset just past the section (its footer included). */
        public long end() {
            return offset + length;
        }
    }

    public long zeroPages() {
        return ramBlocks.stream().mapToLong(RamBlockStats::zeroPages).sum();
    }

    public long dataPages() {
        return ramBlocks.stream().mapToLong(RamBlockStats::dataPages).sum();
    }

    public Optional<String> machineType() {
        return configuration == null ? Optional.empty() : Optional.of(configuration.machineType());
    }

    /** Builds a summary from decoder events. */
    public static class Collector implements StreamVisitor {
        private Configuration configuration;
        private int pageSize = 1 << WireFormat.DEFAULT_PAGE_BITS;
        private final Map<String, long[]> counts = new LinkedHashMap<>();
        private final Map<String, RamBlock> blocks = new LinkedHashMap<>();
        private final List<SectionInfo> sections = new ArrayList<>();
        private final List<VmCommand> commands = new ArrayList<>();
        private final List<CpuSection> cpus = new ArrayList<>();
        private SectionHeader open;
        private Vmdesc vmdesc;
        private long eof = -1;
        private long total;
        private long packaged;
        private long[] current;

        @Override
        public void configuration(Configuration c) {
            configuration = c;
            pageSize = c.pageSize();
        }

        @Override
        public void sectionStart(SectionHeader h) {
            open = h;
        }

        @Override
        public boolean wantsPageData() {
            return false;
        }

        @Override
        public void ramBlockList(RamBlockList list) {
            for (RamBlock b : list.blocks()) {
                blocks.put(b.name(), b);
                counts.put(b.name(), new long[2]);
            }
        }

        @Override
        public void ramRecord(RamRecord r) {
            if (r.block() == null) {
                return;
            }
            if (r.blockName() != null || current == null) {
                current = counts.get(r.block().name());
            }
            current[r.isZero() ? 0 : 1]++;
        }

        @Override
        public void sectionFooter(SectionHeader section, long offset) {
            sections.add(new SectionInfo(open.offset(), offset + WireFormat.FOOTER_BYTES - open.offset(),
                    open.type(), open.sectionId(), open.idstr(), open.instanceId(), open.versionId(), null));
        }

        @Override
        public void deviceSection(DeviceSection s) {
            SectionHeader h = s.header();
            sections.add(new SectionInfo(h.offset(), s.length(), h.type(), h.sectionId(), h.idstr(), h.instanceId(),
                    h.versionId(), s.method()));
            if (s.cpu() != null) {
                cpus.add(s.cpu());
            }
        }

        @Override
        public void command(VmCommand c) {
            commands.add(c);
        }

        @Override
        public void packagedData(ByteBuffer data) {
            packaged += data.remaining();
        }

        @Override
        public void eof(long offset) {
            eof = offset;
        }

        @Override
        public void vmdesc(Vmdesc v) {
            vmdesc = v;
        }

        @Override
        public void end(long totalBytes) {
            total = totalBytes;
        }

        public StreamSummary summary() {
            List<RamBlockStats> stats = new ArrayList<>();
            for (Map.Entry<String, RamBlock> e : blocks.entrySet()) {
                long[] c = counts.get(e.getKey());
                stats.add(new RamBlockStats(e.getValue(), c[0], c[1]));
            }
            return new StreamSummary(total, configuration, pageSize, stats, sections, commands, cpus, vmdesc, eof,
                    packaged);
        }
    }
}
