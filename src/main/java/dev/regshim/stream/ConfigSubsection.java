package dev.regshim.stream;

/**
 * One subsection of the configuration record ({@code configuration/target-page-bits}, {@code /capabilities},
 * {@code /uuid}), with its payload bytes as read.
 */
public record ConfigSubsection(String name, int version, byte[] payload) {

    public static final String TARGET_PAGE_BITS = "configuration/target-page-bits";
    public static final String CAPABILITIES = "configuration/capabilities";
    public static final String UUID = "configuration/uuid";

    public int encodedLength() {
        return SubsectionHeader.bytes(name.length()) + payload.length;
    }
}
