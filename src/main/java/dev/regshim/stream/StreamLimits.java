package dev.regshim.stream;

/**
 * Every bound on untrusted stream input, in one immutable object (in the spirit of jackson-core's
 * {@code StreamReadConstraints}). Every allocation and every search the reader makes on behalf of the input is bounded
 * by one of these; exceeding one is a {@link StreamFormatException} naming the limit. A set of limits that could not
 * read a valid stream is refused when it is built.
 *
 * <table>
 * <caption>Defaults</caption>
 * <tr><th>limit</th><th>default</th><th>why</th></tr>
 * <tr><td>maxCpregCount</td><td>{@value #DEFAULT_MAX_CPREG_COUNT}</td>
 *     <td>QEMU TCG lists hold 250-400 registers, KVM hosts 500-1000</td></tr>
 * <tr><td>maxNameLength</td><td>{@value #DEFAULT_MAX_NAME_LENGTH}</td>
 *     <td>idstrs, block and subsection names are counted strings (u8 length); the machine type has a be32 length</td></tr>
 * <tr><td>maxVmdescBytes</td><td>{@value #DEFAULT_MAX_VMDESC_BYTES}</td>
 *     <td>a 1-vCPU virt trailer is 12 KB; QEMU's own analyzer reads at most the last 10 MB</td></tr>
 * <tr><td>maxBufferedDeviceBytes</td><td>{@value #DEFAULT_MAX_BUFFERED_DEVICE_BYTES}</td>
 *     <td>device state after RAM is ~40 KB per vCPU, ~110 KB with live SME state</td></tr>
 * <tr><td>maxSubsectionDepth</td><td>{@value #DEFAULT_MAX_SUBSECTION_DEPTH}</td>
 *     <td>real streams nest two levels ({@code cpu/vfp/fpcr_fpsr}); also bounds vmdesc JSON nesting (x4)</td></tr>
 * <tr><td>maxRamBlocks</td><td>{@value #DEFAULT_MAX_RAM_BLOCKS}</td><td>virt has 6-8 RAM blocks</td></tr>
 * <tr><td>maxDeviceSections</td><td>{@value #DEFAULT_MAX_DEVICE_SECTIONS}</td><td>virt has ~16 plus 2 per vCPU</td></tr>
 * <tr><td>maxPackagedBytes</td><td>{@value #DEFAULT_MAX_PACKAGED_BYTES}</td>
 *     <td>QEMU's own cap on a PACKAGED command blob (16 MiB)</td></tr>
 * <tr><td>maxTokenBytes</td><td>{@value #DEFAULT_MAX_TOKEN_BYTES}</td>
 *     <td>the largest record the decoder holds whole while it arrives in pieces: a command with a 64 KiB payload,
 *     a capability list</td></tr>
 * <tr><td>maxCapabilities</td><td>{@value #DEFAULT_MAX_CAPABILITIES}</td>
 *     <td>QEMU has ~20 migration capabilities; a longer list in the configuration is hostile</td></tr>
 * <tr><td>maxHeadBytes</td><td>{@value #DEFAULT_MAX_HEAD_BYTES}</td>
 *     <td>how far {@link StreamEnds} reads from the front for the end of the RAM block list (real heads: ~200 bytes)
 *     before it gives up and the whole stream is read</td></tr>
 * </table>
 *
 * The vmdesc JSON parser's own bounds follow from these ({@link #maxVmdescNesting()}, ...).
 */
public final class StreamLimits {

    public static final int DEFAULT_MAX_CPREG_COUNT = 4096;
    public static final int DEFAULT_MAX_NAME_LENGTH = 255;
    public static final int DEFAULT_MAX_VMDESC_BYTES = 16 << 20;
    public static final int DEFAULT_MAX_BUFFERED_DEVICE_BYTES = 64 << 20;
    public static final int DEFAULT_MAX_SUBSECTION_DEPTH = 8;
    public static final int DEFAULT_MAX_RAM_BLOCKS = 1024;
    public static final int DEFAULT_MAX_DEVICE_SECTIONS = 65536;
    public static final int DEFAULT_MAX_PACKAGED_BYTES = 16 << 20;
    public static final int DEFAULT_MAX_TOKEN_BYTES = 128 << 10;
    public static final int DEFAULT_MAX_CAPABILITIES = 64;
    public static final int DEFAULT_MAX_HEAD_BYTES = 1 << 20;

    /** JSON nesting per subsection level: entry, subsections array, subsection, fields array, field, struct... */
    private static final int VMDESC_NESTING_PER_DEPTH = 4;
    /** JSON nesting of the document around the device entries, with room for QEMU's configuration object. */
    private static final int VMDESC_NESTING_BASE = 16;
    /** Field names and types are short; a name may be escaped to four times its length. */
    private static final int VMDESC_MIN_STRING_LENGTH = 1024;
    private static final int VMDESC_STRING_PER_NAME_BYTE = 4;
    /** Digits of the longest number a vmdesc holds (sizes and counts are 32-bit; room for a 64-bit value). */
    private static final int VMDESC_NUMBER_LENGTH = 40;

    /** A command's data length is a be16: the token the decoder must be able to hold for any valid command. */
    private static final int LARGEST_COMMAND_BYTES = WireFormat.COMMAND_HEADER_BYTES + 0xffff;

    private static final StreamLimits DEFAULTS = builder().build();

    private final int maxCpregCount;
    private final int maxNameLength;
    private final int maxVmdescBytes;
    private final int maxBufferedDeviceBytes;
    private final int maxSubsectionDepth;
    private final int maxRamBlocks;
    private final int maxDeviceSections;
    private final int maxPackagedBytes;
    private final int maxTokenBytes;
    private final int maxCapabilities;
    private final int maxHeadBytes;

    private StreamLimits(Builder b) {
        this.maxCpregCount = b.maxCpregCount;
        this.maxNameLength = b.maxNameLength;
        this.maxVmdescBytes = b.maxVmdescBytes;
        this.maxBufferedDeviceBytes = b.maxBufferedDeviceBytes;
        this.maxSubsectionDepth = b.maxSubsectionDepth;
        this.maxRamBlocks = b.maxRamBlocks;
        this.maxDeviceSections = b.maxDeviceSections;
        this.maxPackagedBytes = b.maxPackagedBytes;
        this.maxTokenBytes = b.maxTokenBytes;
        this.maxCapabilities = b.maxCapabilities;
        this.maxHeadBytes = b.maxHeadBytes;
        checkTokensFit();
    }

    /** The decoder holds a token whole until it has arrived: every token the other limits allow must fit. */
    private void checkTokensFit() {
        long machineType = WireFormat.CONFIGURATION_HEADER_BYTES + (long) maxNameLength;
        long capabilities = SubsectionHeader.bytes(WireFormat.COUNTED_STRING_MAX) + Integer.BYTES
                + (long) maxCapabilities * (1 + WireFormat.COUNTED_STRING_MAX);
        long need = Math.max(LARGEST_COMMAND_BYTES, Math.max(machineType, capabilities));
        if (maxTokenBytes < need) {
            throw new IllegalArgumentException("maxTokenBytes " + maxTokenBytes + " cannot hold the largest record "
                    + "the other limits allow (" + need + " bytes)");
        }
    }

    public static StreamLimits defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these limits. */
    public Builder toBuilder() {
        return new Builder()
                .maxCpregCount(maxCpregCount).maxNameLength(maxNameLength).maxVmdescBytes(maxVmdescBytes)
                .maxBufferedDeviceBytes(maxBufferedDeviceBytes).maxSubsectionDepth(maxSubsectionDepth)
                .maxRamBlocks(maxRamBlocks).maxDeviceSections(maxDeviceSections).maxPackagedBytes(maxPackagedBytes)
                .maxTokenBytes(maxTokenBytes).maxCapabilities(maxCapabilities).maxHeadBytes(maxHeadBytes);
    }

    public int maxCpregCount() {
        return maxCpregCount;
    }

    public int maxNameLength() {
        return maxNameLength;
    }

    public int maxVmdescBytes() {
        return maxVmdescBytes;
    }

    public int maxBufferedDeviceBytes() {
        return maxBufferedDeviceBytes;
    }

    public int maxSubsectionDepth() {
        return maxSubsectionDepth;
    }

    public int maxRamBlocks() {
        return maxRamBlocks;
    }

    public int maxDeviceSections() {
        return maxDeviceSections;
    }

    public int maxPackagedBytes() {
        return maxPackagedBytes;
    }

    public int maxTokenBytes() {
        return maxTokenBytes;
    }

    public int maxCapabilities() {
        return maxCapabilities;
    }

    public int maxHeadBytes() {
        return maxHeadBytes;
    }

    /** JSON nesting the vmdesc parser allows: enough for {@link #maxSubsectionDepth()} levels of subsections. */
    public int maxVmdescNesting() {
        return maxSubsectionDepth * VMDESC_NESTING_PER_DEPTH + VMDESC_NESTING_BASE;
    }

    /** Longest JSON string the vmdesc parser allows. */
    public int maxVmdescStringLength() {
        return Math.max(VMDESC_MIN_STRING_LENGTH, maxNameLength * VMDESC_STRING_PER_NAME_BYTE);
    }

    /** Longest JSON number the vmdesc parser allows. */
    public int maxVmdescNumberLength() {
        return VMDESC_NUMBER_LENGTH;
    }

    @Override
    public String toString() {
        return "StreamLimits{cpregs=" + maxCpregCount + ", name=" + maxNameLength + ", vmdesc=" + maxVmdescBytes
                + ", deviceBytes=" + maxBufferedDeviceBytes + ", depth=" + maxSubsectionDepth + ", ramBlocks="
                + maxRamBlocks + ", sections=" + maxDeviceSections + ", packaged=" + maxPackagedBytes + ", token="
                + maxTokenBytes + ", capabilities=" + maxCapabilities + ", head=" + maxHeadBytes + "}";
    }

    public static final class Builder {
        private int maxCpregCount = DEFAULT_MAX_CPREG_COUNT;
        private int maxNameLength = DEFAULT_MAX_NAME_LENGTH;
        private int maxVmdescBytes = DEFAULT_MAX_VMDESC_BYTES;
        private int maxBufferedDeviceBytes = DEFAULT_MAX_BUFFERED_DEVICE_BYTES;
        private int maxSubsectionDepth = DEFAULT_MAX_SUBSECTION_DEPTH;
        private int maxRamBlocks = DEFAULT_MAX_RAM_BLOCKS;
        private int maxDeviceSections = DEFAULT_MAX_DEVICE_SECTIONS;
        private int maxPackagedBytes = DEFAULT_MAX_PACKAGED_BYTES;
        private int maxTokenBytes = DEFAULT_MAX_TOKEN_BYTES;
        private int maxCapabilities = DEFAULT_MAX_CAPABILITIES;
        private int maxHeadBytes = DEFAULT_MAX_HEAD_BYTES;

        private Builder() {
        }

        public Builder maxCpregCount(int v) {
            maxCpregCount = positive("maxCpregCount", v);
            return this;
        }

        public Builder maxNameLength(int v) {
            maxNameLength = positive("maxNameLength", v);
            return this;
        }

        public Builder maxVmdescBytes(int v) {
            maxVmdescBytes = positive("maxVmdescBytes", v);
            return this;
        }

        public Builder maxBufferedDeviceBytes(int v) {
            maxBufferedDeviceBytes = positive("maxBufferedDeviceBytes", v);
            return this;
        }

        public Builder maxSubsectionDepth(int v) {
            maxSubsectionDepth = positive("maxSubsectionDepth", v);
            return this;
        }

        public Builder maxRamBlocks(int v) {
            maxRamBlocks = positive("maxRamBlocks", v);
            return this;
        }

        public Builder maxDeviceSections(int v) {
            maxDeviceSections = positive("maxDeviceSections", v);
            return this;
        }

        public Builder maxPackagedBytes(int v) {
            maxPackagedBytes = positive("maxPackagedBytes", v);
            return this;
        }

        public Builder maxTokenBytes(int v) {
            maxTokenBytes = positive("maxTokenBytes", v);
            return this;
        }

        public Builder maxCapabilities(int v) {
            maxCapabilities = positive("maxCapabilities", v);
            return this;
        }

        public Builder maxHeadBytes(int v) {
            maxHeadBytes = positive("maxHeadBytes", v);
            return this;
        }

        /** @throws IllegalArgumentException when the limits could not read a valid stream */
        public StreamLimits build() {
            return new StreamLimits(this);
        }

        private static int positive(String name, int v) {
            if (v <= 0) {
                throw new IllegalArgumentException(name + " must be positive, got " + v);
            }
            return v;
        }
    }
}
