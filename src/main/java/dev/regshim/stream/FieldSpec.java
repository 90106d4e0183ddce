package dev.regshim.stream;

import java.util.ArrayList;
import java.util.List;

/** A fixed-size vmstate field: {@code count} elements of {@code size} bytes. */
record FieldSpec(String name, int size, int count) {

    /** Its bytes, or {@link Integer#MAX_VALUE} when a described size is too large to be real. */
    int bytes() {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0L, (long) size * count));
    }

    /** The fields' bytes together, saturating at {@link Integer#MAX_VALUE} (so never equal to a real length). */
    static int totalBytes(List<FieldSpec> specs) {
        long n = 0;
        for (FieldSpec f : specs) {
            n += f.bytes();
        }
        return (int) Math.min(Integer.MAX_VALUE, n);
    }

    /**
     * Decodes fields laid out back to back. Elements of 1, 2, 4 or 8 bytes are numbers; wider ones whose size is a
     * multiple of 8 (an {@code int128}, vector data) are shown as 8-byte words, most significant first as on the
     * wire; any other size as its bytes, so a well-formed field of any width decodes.
     */
    static List<CpuField> decode(List<FieldSpec> specs, byte[] b, int off) {
        List<CpuField> out = new ArrayList<>(specs.size());
        int p = off;
        for (FieldSpec f : specs) {
            int size = f.size();
            int unit = size == 1 || size == 2 || size == 4 || size == 8 ? size : size % 8 == 0 ? 8 : 1;
            long[] v = new long[Math.multiplyExact(f.count(), size / unit)];
            for (int i = 0; i < v.length; i++) {
                v[i] = Bytes.beN(b, p, unit);
                p += unit;
            }
            out.add(new CpuField(f.name(), unit, v));
        }
        return out;
    }
}
