package dev.regshim.stream;

/**
 * A decoded vmstate field of the ARM cpu section: {@code count} big-endian elements of {@code elementSize} bytes.
 *
 * @param name        QEMU's field name (e.g. {@code env.pc}, {@code fpscr})
 * @param elementSize 1, 2, 4 or 8 bytes (wider vector data is shown as 8-byte words)
 * @param values      the elements, zero-extended
 */
public record CpuField(String name, int elementSize, long[] values) {

    public long value() {
        return values[0];
    }

    public int count() {
        return values.length;
    }

    /** Hex of each element at its own width, e.g. {@code 0x00000000400800c8}. */
    public String hex(int i) {
        return String.format("0x%0" + (elementSize * 2) + "x", values[i]);
    }
}
