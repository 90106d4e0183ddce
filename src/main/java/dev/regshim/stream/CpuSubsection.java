package dev.regshim.stream;

import java.util.List;

/**
 * A subsection of the ARM cpu section as read: {@code u8 0x05, u8 len, name, be32 version, data, children}.
 *
 * @param name     full name, e.g. {@code cpu/vfp}, {@code cpu/vfp/fpcr_fpsr}
 * @param version  version on the wire
 * @param offset   absolute stream offset of its 0x05 byte
 * @param data     its own field bytes (children excluded)
 * @param fields   the decoded fields (by {@link CpuLayout#SUBSECTIONS}, or by the vmdesc for unknown names)
 * @param children nested subsections, in wire order
 */
public record CpuSubsection(String name, int version, long offset, byte[] data, List<CpuField> fields,
                            List<CpuSubsection> children) {

    public CpuSubsection {
        fields = List.copyOf(fields);
        children = List.copyOf(children);
    }

    /** Bytes on the wire, children included. */
    public int encodedLength() {
        int n = SubsectionHeader.bytes(name.length()) + data.length;
        for (CpuSubsection c : children) {
            n += c.encodedLength();
        }
        return n;
    }
}
