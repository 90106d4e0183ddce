package dev.regshim.stream;

import dev.regshim.regs.CpregArray;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegClass;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegSet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One vCPU's ARM {@code cpu} section ({@link CpuLayout}): the fixed fields, the cpreg arrays (sorted, unique KVM-style
 * register IDs and their values), the fields after them and the subsections. Immutable; the bytes around the arrays
 * are kept verbatim so that {@link #encodeBody()} reproduces the input exactly, and {@link #withCpregs} swaps only the
 * arrays.
 */
public final class CpuSection {

    private final SectionHeader header;
    private final long bodyOffset;
    private final byte[] prefix;
    private final long[] ids;
    private final long[] values;
    /** The same arrays as one register array (shared, not copied: neither side changes them). */
    private final CpregArray cpregs;
    private final byte[] tail;
    private final List<CpuSubsection> subsections;

    private CpuSection(SectionHeader header, long bodyOffset, byte[] prefix, long[] ids, long[] values, byte[] tail,
                       List<CpuSubsection> subsections) {
        this.header = header;
        this.bodyOffset = bodyOffset;
        this.prefix = prefix;
        this.ids = ids;
        this.values = values;
        this.cpregs = CpregArray.adopt(ids, values);
        this.tail = tail;
        this.subsections = List.copyOf(subsections);
    }

    /**
     * Builds the section from its field data {@code body[0, bodyLen)}, checking the cpreg arrays.
     *
     * @param bodyOffset  absolute stream offset of {@code body[bodyStart]}
     * @param subsections the subsections found in the tail by the walker that delimited the section
     */
    static CpuSection fromBody(SectionHeader header, long bodyOffset, byte[] body, int bodyStart, int bodyLen,
                               List<CpuSubsection> subsections, StreamLimits limits) {
        String where = header.describe();
        if (bodyLen < CpuLayout.INDEXES_OFFSET) {
            throw new StreamFormatException(bodyOffset, where, "cpu section data is " + bodyLen
                    + " bytes, shorter than the " + CpuLayout.INDEXES_OFFSET + " bytes before the cpreg arrays");
        }
        int n = Bytes.be32(body, bodyStart + CpuLayout.ARRAY_LEN_OFFSET);
        long lenOffset = bodyOffset + CpuLayout.ARRAY_LEN_OFFSET;
        checkCount(n, lenOffset, where, limits);
        int valuesEnd = CpuLayout.INDEXES_OFFSET + 2 * CpuLayout.CPREG_BYTES * n;
        if (valuesEnd + CpuLayout.SUFFIX_BYTES > bodyLen) {
            throw new StreamFormatException(lenOffset, where, "cpreg_vmstate_array_len " + n + " needs "
                    + (valuesEnd + CpuLayout.SUFFIX_BYTES) + " bytes of field data, the section has " + bodyLen);
        }
        long[] ids = new long[n];
        long[] values = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = Bytes.be64(body, bodyStart + CpuLayout.INDEXES_OFFSET + CpuLayout.CPREG_BYTES * i);
            values[i] = Bytes.be64(body, bodyStart + CpuLayout.INDEXES_OFFSET + CpuLayout.CPREG_BYTES * (n + i));
        }
        checkIds(ids, bodyOffset + CpuLayout.INDEXES_OFFSET, where);
        byte[] prefix = Arrays.copyOfRange(body, bodyStart, bodyStart + CpuLayout.ARRAY_LEN_OFFSET);
        byte[] tail = Arrays.copyOfRange(body, bodyStart + valuesEnd, bodyStart + bodyLen);
        return new CpuSection(header, bodyOffset, prefix, ids, values, tail, subsections);
    }

    private static void checkCount(int n, long offset, String where, StreamLimits limits) {
        if (n < 0) {
            throw new StreamFormatException(offset, where, "cpreg_vmstate_array_len " + n + " is negative");
        }
        if (n > limits.maxCpregCount()) {
            throw new StreamFormatException(offset, where, "cpreg_vmstate_array_len " + n + " exceeds the limit of "
                    + limits.maxCpregCount() + " registers");
        }
    }

    /**
     * IDs must be strictly ascending (unsigned) and never core or SVE registers (QEMU syncs those directly and never
     * lists them). IDs of classes regshim does not know are kept as they are: a newer kernel may list new kinds of
     * register, and QEMU migrates everything it lists but core and SVE.
     */
    private static void checkIds(long[] ids, long indexesOffset, String where) {
        for (int i = 0; i < ids.length; i++) {
            RegId id = RegId.of(ids[i]);
            RegClass c = id.regClass();
            long at = indexesOffset + (long) CpuLayout.CPREG_BYTES * i;
            if (c == RegClass.CORE || c == RegClass.SVE) {
                throw new StreamFormatException(at, where, "cpreg index " + i + " " + id.hex()
                        + " is not a register ID QEMU migrates (class " + c.label() + ")");
            }
            if (i > 0 && Long.compareUnsigned(ids[i], ids[i - 1]) <= 0) {
                throw new StreamFormatException(at, where, "cpreg index " + i + " " + id.hex() + " ("
                        + RegCatalog.get().name(id) + ") is not greater than the previous "
                        + RegId.of(ids[i - 1]).hex() + " - IDs must be sorted and unique");
            }
        }
    }

    /** As {@link #withCpregs(long[], long[], StreamLimits)}, from the one register type. */
    public CpuSection withCpregs(CpregArray replacement, StreamLimits limits) {
        if (!replacement.hasValues()) {
            throw new IllegalArgumentException("replacement cpregs have no values");
        }
        return withCpregs(replacement.ids(), replacement.values(), limits, false);
    }

    /**
     * The same section with other cpreg arrays; every other byte is kept. The IDs must be sorted and unique.
     *
     * @throws IllegalArgumentException when the arrays are inconsistent (this is a caller bug, not bad input)
     */
    public CpuSection withCpregs(long[] newIds, long[] newValues, StreamLimits limits) {
        return withCpregs(newIds, newValues, limits, true);
    }

    /** @param copy false when the arrays are already this section's own (fresh copies nobody else holds) */
    private CpuSection withCpregs(long[] newIds, long[] newValues, StreamLimits limits, boolean copy) {
        if (newIds.length != newValues.length) {
            throw new IllegalArgumentException("ids and values differ in length: " + newIds.length + " vs "
                    + newValues.length);
        }
        if (newIds.length > limits.maxCpregCount()) {
            throw new IllegalArgumentException(newIds.length + " cpregs exceed the limit " + limits.maxCpregCount());
        }
        for (int i = 1; i < newIds.length; i++) {
            if (Long.compareUnsigned(newIds[i], newIds[i - 1]) <= 0) {
                throw new IllegalArgumentException("replacement cpreg IDs not sorted/unique at index " + i + ": "
                        + RegId.of(newIds[i]).hex() + " after " + RegId.of(newIds[i - 1]).hex());
            }
        }
        return new CpuSection(header, bodyOffset, prefix, copy ? newIds.clone() : newIds,
                copy ? newValues.clone() : newValues, tail, subsections);
    }

    public SectionHeader header() {
        return header;
    }

    public int instanceId() {
        return header.instanceId();
    }

    /** Absolute offset of the section's field data (just after the header). */
    public long bodyOffset() {
        return bodyOffset;
    }

    /** Absolute offset of {@code cpreg_vmstate_array_len} in the stream the section was read from. */
    public long cpregArrayOffset() {
        return bodyOffset + CpuLayout.ARRAY_LEN_OFFSET;
    }

    public int cpregCount() {
        return ids.length;
    }

    /** The cpreg arrays as the one register type, without a copy. */
    public CpregArray cpregs() {
        return cpregs;
    }

    public long[] ids() {
        return ids.clone();
    }

    public long[] values() {
        return values.clone();
    }

    public RegSet regSet() {
        return RegSet.of(ids);
    }

    public long id(int i) {
        return ids[i];
    }

    public long value(int i) {
        return values[i];
    }

    /** The value of register {@code id}, if the section carries it (looked up by {@link CpregArray#indexOf}). */
    public Optional<Long> valueOf(long id) {
        int i = cpregs.indexOf(id);
        return i < 0 ? Optional.empty() : Optional.of(values[i]);
    }

    /** The fixed fields before the arrays (regs, xregs, pc, cpsr, ... sp_el), decoded. */
    public List<CpuField> prefixFields() {
        return FieldSpec.decode(CpuLayout.PREFIX_FIELDS, prefix, 0);
    }

    /** The 65 bytes of fixed fields after the arrays (exclusive monitor, exception, timers, power state). */
    public List<CpuField> suffixFields() {
        return FieldSpec.decode(CpuLayout.SUFFIX_FIELDS, tail, 0);
    }

    /** All main fields: {@link #prefixFields()} then {@link #suffixFields()}. */
    public List<CpuField> fields() {
        List<CpuField> all = new ArrayList<>(prefixFields());
        all.addAll(suffixFields());
        return all;
    }

    public Optional<CpuField> field(String name) {
        return fields().stream().filter(f -> f.name().equals(name)).findFirst();
    }

    public long pc() {
        return Bytes.be64(prefix, fieldOffset("env.pc"));
    }

    /** PSTATE as the {@code cpsr} field sends it (the low 32 bits). */
    public int pstate() {
        return Bytes.be32(prefix, fieldOffset("cpsr"));
    }

    public long xreg(int n) {
        return Bytes.be64(prefix, fieldOffset("env.xregs") + Long.BYTES * n);
    }

    public boolean poweredOff() {
        return tail[CpuLayout.SUFFIX_BYTES - 1] != 0;
    }

    private static int fieldOffset(String name) {
        int off = 0;
        for (FieldSpec f : CpuLayout.PREFIX_FIELDS) {
            if (f.name().equals(name)) {
                return off;
            }
            off += f.bytes();
        }
        throw new IllegalArgumentException(name);
    }

    public List<CpuSubsection> subsections() {
        return subsections;
    }

    /** Top-level and nested subsection names in wire order, e.g. {@code [cpu/vfp, cpu/sve, cpu/irq-line-state]}. */
    public List<String> subsectionNames() {
        List<String> names = new ArrayList<>();
        collect(subsections, names);
        return names;
    }

    private static void collect(List<CpuSubsection> subs, List<String> out) {
        for (CpuSubsection s : subs) {
            out.add(s.name());
            collect(s.children(), out);
        }
    }

    public int bodyLength() {
        return prefix.length + CpuLayout.ARRAY_LEN_BYTES + 2 * CpuLayout.CPREG_BYTES * ids.length + tail.length;
    }

    /** Field data on the wire: the verbatim prefix, the arrays as they are now, the verbatim tail. */
    public byte[] encodeBody() {
        byte[] out = new byte[bodyLength()];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        int p = prefix.length;
        Bytes.putBe32(out, p, ids.length);
        p += CpuLayout.ARRAY_LEN_BYTES;
        for (long id : ids) {
            Bytes.putBe64(out, p, id);
            p += CpuLayout.CPREG_BYTES;
        }
        for (long v : values) {
            Bytes.putBe64(out, p, v);
            p += CpuLayout.CPREG_BYTES;
        }
        System.arraycopy(tail, 0, out, p, tail.length);
        return out;
    }

    /** Same header, fields, arrays and subsection bytes. */
    public boolean sameContent(CpuSection o) {
        return header.equals(o.header) && Arrays.equals(prefix, o.prefix) && Arrays.equals(ids, o.ids)
                && Arrays.equals(values, o.values) && Arrays.equals(tail, o.tail);
    }

    @Override
    public String toString() {
        return header.describe() + ": " + ids.length + " cpregs, subsections " + subsectionNames();
    }
}
