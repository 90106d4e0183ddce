package dev.regshim.stream;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** Canonical text of a summary, to compare readings of the same stream. */
final class Describe {

    private Describe() {
    }

    static String summary(StreamSummary s, boolean withWalkMethod) {
        StringBuilder b = new StringBuilder();
        b.append("bytes ").append(s.totalBytes()).append(" page ").append(s.pageSize()).append(" eof ")
                .append(s.eofOffset()).append('\n');
        if (s.configuration() != null) {
            b.append("machine ").append(s.configuration().machineType()).append(' ')
                    .append(s.configuration().capabilities()).append('\n');
        }
        for (StreamSummary.RamBlockStats r : s.ramBlocks()) {
            b.append("block ").append(r.block()).append(' ').append(r.zeroPages()).append(' ')
                    .append(r.dataPages()).append('\n');
        }
        for (StreamSummary.SectionInfo i : s.sections()) {
            b.append("section ").append(i.offset()).append(' ').append(i.length()).append(' ').append(i.typeName())
                    .append(' ').append(i.sectionId()).append(' ').append(i.idstr()).append(' ')
                    .append(i.instanceId()).append(' ').append(i.versionId());
            if (withWalkMethod) {
                b.append(' ').append(i.method());
            }
            b.append('\n');
        }
        for (VmCommand c : s.commands()) {
            b.append("command ").append(c.offset()).append(' ').append(c.name()).append(' ')
                    .append(HexFormat.of().formatHex(c.data())).append('\n');
        }
        for (CpuSection c : s.cpus()) {
            b.append(cpu(c));
        }
        if (s.vmdesc() != null) {
            b.append("vmdesc ").append(s.vmdesc().offset()).append(' ').append(Arrays.hashCode(s.vmdesc().raw()))
                    .append('\n');
        }
        return b.toString();
    }

    static String cpu(CpuSection c) {
        StringBuilder b = new StringBuilder();
        b.append("cpu ").append(c.header()).append(" body ").append(c.bodyOffset()).append('+')
                .append(c.bodyLength()).append('\n');
        b.append("  ids ").append(Arrays.toString(c.ids())).append('\n');
        b.append("  values ").append(Arrays.toString(c.values())).append('\n');
        for (CpuField f : c.fields()) {
            b.append("  ").append(f.name()).append(' ').append(Arrays.toString(f.values())).append('\n');
        }
        subs(b, c.subsections(), "  ");
        b.append("  body ").append(Arrays.hashCode(c.encodeBody())).append('\n');
        return b.toString();
    }

    private static void subs(StringBuilder b, List<CpuSubsection> subs, String indent) {
        for (CpuSubsection s : subs) {
            b.append(indent).append(s.name()).append(" v").append(s.version()).append(" @").append(s.offset())
                    .append(" data ").append(HexFormat.of().formatHex(s.data())).append('\n');
            for (CpuField f : s.fields()) {
                b.append(indent).append("  ").append(f.name()).append(' ').append(Arrays.toString(f.values()))
                        .append('\n');
            }
            subs(b, s.children(), indent + "  ");
        }
    }
}
