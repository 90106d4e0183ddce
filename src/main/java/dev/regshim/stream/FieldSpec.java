package dev.regshim.stream;

import java.util.ArrayList;
import java.util.List;

/** A fixed-size vmstate field: {@code count} elements of {@code size} bytes. */
record FieldSpec(String name, int size, int count) {

    int bytes() {
        return size * count;
    }

    static int totalBytes(List<FieldSpec> specs) {
        int n = 0;
        for (FieldSpec f : specs) {
            n += f.bytes();
        }
        return n;
    }

    static List<CpuField> decode(List<FieldSpec> specs, byte[] b, int off) {
        List<CpuField> out = new ArrayList<>(specs.size());
        int p = off;
        for (FieldSpec f : specs) {
            long[] v = new long[f.count()];
            for (int i = 0; i < v.length; i++) {
                v[i] = Bytes.beN(b, p, f.size());
                p += f.size();
            }
            out.add(new CpuField(f.name(), f.size(), v));
        }
        return out;
    }
}
