package dev.regshim.stream;

import java.util.List;

/**
 * A complete FULL section: header, field data, footer. For the ARM {@code cpu} section {@link #cpu()} is the decoded
 * model and is the source of the field data (so replacing its arrays changes what is written).
 *
 * @param header      the FULL header
 * @param body        field data as read (for a cpu section: as read, before any replacement)
 * @param cpu         the decoded ARM cpu section, or null for every other device
 * @param method      how the section's end was found
 * @param subsections top-level subsections found (name, version, offset, wire length)
 */
public record DeviceSection(SectionHeader header, byte[] body, CpuSection cpu, WalkMethod method,
                            List<SubsectionRef> subsections) {

    public DeviceSection {
        subsections = List.copyOf(subsections);
    }

    /** How a device section was delimited. */
    public enum WalkMethod {
        /** Field sizes from the vmdesc trailer, subsection markers and footer checked. */
        VMDESC,
        /** The known ARM cpu layout, subsections by name (no vmdesc). */
        CPU_LAYOUT,
        /** No vmdesc and not a cpu: ends at the first matching footer followed by a plausible next record. */
        FOOTER_SCAN
    }

    /** A top-level subsection as found on the wire. */
    public record SubsectionRef(String name, int version, long offset, int length) {
    }

    public boolean isCpu() {
        return cpu != null;
    }

    public long offset() {
        return header.offset();
    }

    /** Field data to write: the cpu model's encoding for cpu sections, else the bytes as read. */
    public byte[] currentBody() {
        return cpu != null ? cpu.encodeBody() : body;
    }

    public int bodyLength() {
        return cpu != null ? cpu.bodyLength() : body.length;
    }

    /** Wire length: header, field data and footer. */
    public long length() {
        return header.encodedLength() + (long) bodyLength() + WireFormat.FOOTER_BYTES;
    }

    public DeviceSection withCpu(CpuSection newCpu) {
        return new DeviceSection(header, body, newCpu, method, subsections);
    }
}
