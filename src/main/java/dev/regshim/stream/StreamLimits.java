package dev.regshim.stream;

/**
 * Bounds on untrusted stream input, in one immutable object (in the spirit of jackson's
 * {@code StreamReadConstraints}). Every allocation the reader makes on behalf of the input is bounded by one of these;
 * exceeding one is a {@link StreamFormatException} naming the limit.
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
 * </table>
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

    private static final StreamLimits DEFAULTS = builder().build();

    private final int maxCpregCount;
    private final int maxNameLength;
    private final int maxVmdescBytes;
    private final int maxBufferedDeviceBytes;
    private final int maxSubsectionDepth;
    private final int maxRamBlocks;
    private final int maxDeviceSections;
    private final int maxPackagedBytes;

    private StreamLimits(Builder b) {
        this.maxCpregCount = b.maxCpregCount;
        this.maxNameLength = b.maxNameLength;
        this.maxVmdescBytes = b.maxVmdescBytes;
        this.maxBufferedDeviceBytes = b.maxBufferedDeviceBytes;
        this.maxSubsectionDepth = b.maxSubsectionDepth;
        this.maxRamBlocks = b.maxRamBlocks;
        this.maxDeviceSections = b.maxDeviceSections;
        this.maxPackagedBytes = b.maxPackagedBytes;
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
                .maxRamBlocks(maxRamBlocks).maxDeviceSections(maxDeviceSections).maxPackagedBytes(maxPackagedBytes);
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

    @Override
    public String toString() {
        return "StreamLimits{cpregs=" + maxCpregCount + ", name=" + maxNameLength + ", vmdesc=" + maxVmdescBytes
                + ", deviceBytes=" + maxBufferedDeviceBytes + ", depth=" + maxSubsectionDepth + ", ramBlocks="
                + maxRamBlocks + ", sections=" + maxDeviceSections + ", packaged=" + maxPackagedBytes + "}";
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
