package dev.regshim.stream;

/**
 * One entry of the RAM MEM_SIZE block list.
 *
 * @param name       RAMBlock idstr, e.g. {@code mach-virt.ram}, {@code virt.flash0}, {@code mach-virt.tag}
 * @param usedLength bytes of the block that migrate
 * @param pageSize   the block's page size when sent (postcopy-ram with huge pages), else -1
 * @param mrAddr     the memory-region address when sent (x-ignore-shared), else -1
 */
public record RamBlock(String name, long usedLength, long pageSize, long mrAddr) {

    public static final long ABSENT = -1;

    public boolean hasPageSize() {
        return pageSize != ABSENT;
    }

    public boolean hasMrAddr() {
        return mrAddr != ABSENT;
    }

    public int encodedLength() {
        return 1 + name.length() + Long.BYTES + (hasPageSize() ? Long.BYTES : 0) + (hasMrAddr() ? Long.BYTES : 0);
    }
}
