package dev.regshim.stream.container;

/**
 * Bounds for reading untrusted images, in one immutable object (like Jackson's StreamReadConstraints).
 *
 * @param maxXmlAreaBytes largest libvirt {@code data_len} (domain XML + cookie + padding) read into memory.
 *                        libvirt writes the XML plus 64 KiB of padding; real domain XML is a few KiB.
 * @param xzMemoryLimitKiB memory the xz decoder may use (xz -9 needs ~65 MiB; libvirt uses xz -3: ~5 MiB)
 */
public record ContainerLimits(int maxXmlAreaBytes, int xzMemoryLimitKiB) {

    public static final ContainerLimits DEFAULT = new ContainerLimits(16 * 1024 * 1024, 256 * 1024);

    public ContainerLimits {
        if (maxXmlAreaBytes <= 0 || xzMemoryLimitKiB <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    public ContainerLimits withMaxXmlAreaBytes(int bytes) {
        return new ContainerLimits(bytes, xzMemoryLimitKiB);
    }

    public ContainerLimits withXzMemoryLimitKiB(int kib) {
        return new ContainerLimits(maxXmlAreaBytes, kib);
    }
}
