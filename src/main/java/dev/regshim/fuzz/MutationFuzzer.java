package dev.regshim.fuzz;

import dev.regshim.stream.CpuLayout;
import dev.regshim.stream.StreamDecoder;
import dev.regshim.stream.StreamFormatException;
import dev.regshim.stream.StreamLimits;
import dev.regshim.stream.StreamWriter;
import dev.regshim.stream.WireFormat;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.LongConsumer;

/**
 * Seeded mutation fuzzing of the decoder over real streams. Each case mutates one corpus stream (bit flips, interesting
 * integers at structure offsets, truncation, insertion, deletion, duplication, junk, cpreg swaps, vmdesc edits) and
 * decodes it in random chunks. A case passes when the decoder either accepts the input, and then re-encodes it byte
 * for byte, or rejects it with a one-line {@link StreamFormatException} that names the offset. Anything else (another
 * exception, a multi-line message, a wrong round trip) is a failure, reported with the case's seed so that it can be
 * replayed with {@link #runCase}. Mutations aim at where the structure is (the header, the device state and trailer
 * at the end, the cpreg arrays, the trailer's JSON), found by looking at the bytes, not by decoding them.
 */
public final class MutationFuzzer {

    /** A corpus entry. */
    public record Input(String name, byte[] bytes) {
    }

    /** A failed case: replay with {@code runCase(caseSeed)}. */
    public record Failure(long caseSeed, String input, String mutations, String problem) {
        @Override
        public String toString() {
            return "case seed " + caseSeed + " (" + input + ": " + mutations + "): " + problem;
        }
    }

    /** Totals of a run. */
    public record Report(long seed, long cases, long accepted, long rejected, List<Failure> failures) {
        public boolean ok() {
            return failures.isEmpty();
        }
    }

    private static final int[] INTERESTING_32 = {0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fff_ffff,
        0x8000_0000, 0xffff_ffff, 0xffff_fffe, 4096, 4097, 16 << 20};
    private static final int[] INTERESTING_8 = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x10, 0x20,
        0x7e, 0x7f, 0x80, 0xff, '{', '"'};
    /** The end of a cpu section's FULL header before instance and version: u8 idstr length, "cpu". */
    private static final byte[] CPU_HEADER_TAIL = countedString(CpuLayout.IDSTR);
    private static final int MAX_FAILURES = 20;

    private final List<Input> corpus;
    private final StreamLimits limits;

    public MutationFuzzer(List<Input> corpus, StreamLimits limits) {
        if (corpus.isEmpty()) {
            throw new IllegalArgumentException("empty corpus");
        }
        this.corpus = List.copyOf(corpus);
        this.limits = limits;
    }

    /** Runs {@code cases} cases; case i uses seed {@code caseSeed(seed, i)}. */
    public Report run(long seed, long cases, LongConsumer progress) {
        long accepted = 0;
        long rejected = 0;
        List<Failure> failures = new ArrayList<>();
        for (long i = 0; i < cases; i++) {
            long cs = caseSeed(seed, i);
            Object r = runCase(cs);
            if (r instanceof Failure) {
                if (failures.size() < MAX_FAILURES) {
                    failures.add((Failure) r);
                }
            } else if (Boolean.TRUE.equals(r)) {
                accepted++;
            } else {
                rejected++;
            }
            if (progress != null && (i & 1023) == 1023) {
                progress.accept(i + 1);
            }
        }
        return new Report(seed, cases, accepted, rejected, failures);
    }

    public static long caseSeed(long seed, long i) {
        long z = seed + (i + 1) * 0x9E37_79B9_7F4A_7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    /** One case: TRUE when accepted and round-tripped, FALSE when cleanly rejected, else a {@link Failure}. */
    public Object runCase(long caseSeed) {
        Random rnd = new Random(caseSeed);
        Input in = corpus.get(rnd.nextInt(corpus.size()));
        StringBuilder what = new StringBuilder();
        try {
            // inside the try: a fault of the fuzzer itself is a reported failure, never the end of the run
            byte[] m = mutate(in.bytes(), rnd, what);
            boolean ignoreVmdesc = rnd.nextInt(4) == 0;
            byte[] out = decode(m, rnd, ignoreVmdesc);
            if (!Arrays.equals(out, m)) {
                return new Failure(caseSeed, in.name(), what.toString(), "accepted but re-encoded differently ("
                        + out.length + " vs " + m.length + " bytes)");
            }
            return Boolean.TRUE;
        } catch (StreamFormatException e) {
            String msg = e.getMessage();
            if (msg.indexOf('\n') >= 0 || !msg.startsWith("offset ")) {
                return new Failure(caseSeed, in.name(), what.toString(), "badly formed message: " + msg);
            }
            return Boolean.FALSE;
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            return new Failure(caseSeed, in.name(), what.toString(), e + " at " + where(e));
        }
    }

    private static String where(Throwable e) {
        StackTraceElement[] st = e.getStackTrace();
        return st.length == 0 ? "?" : st[0].toString();
    }

    private byte[] decode(byte[] m, Random rnd, boolean ignoreVmdesc) {
        ByteCollector out = new ByteCollector(m.length);
        StreamWriter w = new StreamWriter(out);
        StreamDecoder d = StreamDecoder.builder(w).limits(limits).ignoreVmdesc(ignoreVmdesc).build();
        int off = 0;
        int maxChunk = rnd.nextBoolean() ? m.length : 1 + rnd.nextInt(4096);
        while (off < m.length) {
            int n = Math.min(m.length - off, 1 + rnd.nextInt(maxChunk));
            d.feed(ByteBuffer.wrap(m, off, n));
            off += n;
        }
        d.finish();
        return out.toByteArray();
    }

    // ------------------------------------------------------------------ mutations

    /** One to three mutations of {@code src} (never modified), described in {@code what}. */
    static byte[] mutate(byte[] src, Random rnd, StringBuilder what) {
        byte[] b = src.clone();
        int n = 1 + rnd.nextInt(3);
        for (int k = 0; k < n; k++) {
            b = mutateOnce(b, rnd, what);
        }
        return b;
    }

    private static byte[] mutateOnce(byte[] b, Random rnd, StringBuilder what) {
        if (b.length == 0) { // an earlier mutation emptied it: only growing makes sense
            byte[] ins = new byte[1 + rnd.nextInt(64)];
            rnd.nextBytes(ins);
            what.append("refill ").append(ins.length).append("; ");
            return ins;
        }
        int p = position(b, rnd);
        switch (rnd.nextInt(11)) {
            case 0: {
                int bit = rnd.nextInt(8);
                b[p] ^= (byte) (1 << bit);
                what.append("flip ").append(p).append('.').append(bit).append("; ");
                return b;
            }
            case 1: {
                int v = INTERESTING_8[rnd.nextInt(INTERESTING_8.length)];
                b[p] = (byte) v;
                what.append("byte ").append(p).append('=').append(v).append("; ");
                return b;
            }
            case 2: {
                if (p + 4 > b.length) {
                    return b;
                }
                int v = INTERESTING_32[rnd.nextInt(INTERESTING_32.length)];
                ByteBuffer.wrap(b).putInt(p, v);
                what.append("be32 ").append(p).append('=').append(Integer.toUnsignedString(v)).append("; ");
                return b;
            }
            case 3: {
                int cut = rnd.nextInt(b.length + 1);
                what.append("truncate ").append(cut).append("; ");
                return Arrays.copyOf(b, cut);
            }
            case 4: {
                int len = Math.min(b.length - p, 1 + rnd.nextInt(64));
                what.append("delete ").append(p).append('+').append(len).append("; ");
                byte[] o = new byte[b.length - len];
                System.arraycopy(b, 0, o, 0, p);
                System.arraycopy(b, p + len, o, p, b.length - p - len);
                return o;
            }
            case 5: {
                byte[] ins = new byte[1 + rnd.nextInt(64)];
                rnd.nextBytes(ins);
                what.append("insert ").append(p).append('+').append(ins.length).append("; ");
                return splice(b, p, ins);
            }
            case 6: {
                int len = Math.min(b.length - p, 1 + rnd.nextInt(256));
                what.append("duplicate ").append(p).append('+').append(len).append("; ");
                return splice(b, p, Arrays.copyOfRange(b, p, p + len));
            }
            case 7: {
                byte[] junk = new byte[1 + rnd.nextInt(16)];
                rnd.nextBytes(junk);
                what.append("append ").append(junk.length).append("; ");
                return splice(b, b.length, junk);
            }
            case 8:
                return swapCpregs(b, rnd, what);
            case 9:
                return editVmdesc(b, rnd, what);
            default: {
                if (p + 8 > b.length) {
                    return b;
                }
                long v = rnd.nextLong() >>> rnd.nextInt(64);
                ByteBuffer.wrap(b).putLong(p, v);
                what.append("be64 ").append(p).append("; ");
                return b;
            }
        }
    }

    /** Half the time a structural offset (header, the device state and trailer at the end), else anywhere. */
    private static int position(byte[] b, Random rnd) {
        if (b.length == 0) {
            return 0;
        }
        int r = rnd.nextInt(4);
        if (r == 0) {
            return rnd.nextInt(Math.min(b.length, 512));
        }
        if (r == 1) {
            int tail = Math.min(b.length, 64 << 10);
            return b.length - 1 - rnd.nextInt(tail);
        }
        return rnd.nextInt(b.length);
    }

    private static byte[] splice(byte[] b, int at, byte[] ins) {
        byte[] o = new byte[b.length + ins.length];
        System.arraycopy(b, 0, o, 0, at);
        System.arraycopy(ins, 0, o, at, ins.length);
        System.arraycopy(b, at, o, at + ins.length, b.length - at);
        return o;
    }

    /** Swaps, duplicates or bumps entries of a cpu section's cpreg index array. */
    private static byte[] swapCpregs(byte[] b, Random rnd, StringBuilder what) {
        int h = indexOf(b, CPU_HEADER_TAIL, b.length - (96 << 10));
        if (h < 0) {
            return b;
        }
        int body = h + CPU_HEADER_TAIL.length + 2 * Integer.BYTES;
        int lenAt = body + CpuLayout.ARRAY_LEN_OFFSET;
        if (lenAt + 4 > b.length) {
            return b;
        }
        ByteBuffer w = ByteBuffer.wrap(b);
        int n = w.getInt(lenAt);
        if (n < 2 || lenAt + 4 + 16L * n > b.length) {
            return b;
        }
        int i = rnd.nextInt(n - 1);
        int a = lenAt + 4 + 8 * i;
        switch (rnd.nextInt(3)) {
            case 0: {
                long x = w.getLong(a);
                w.putLong(a, w.getLong(a + 8));
                w.putLong(a + 8, x);
                what.append("swap cpreg ").append(i).append("; ");
                break;
            }
            case 1:
                w.putLong(a + 8, w.getLong(a));
                what.append("duplicate cpreg ").append(i).append("; ");
                break;
            default:
                w.putInt(lenAt, n + rnd.nextInt(3) - 1);
                what.append("array_len ").append(n).append("+-1; ");
        }
        return b;
    }

    /** Changes a byte of the trailer's JSON text (a digit, a quote, a brace). */
    private static byte[] editVmdesc(byte[] b, Random rnd, StringBuilder what) {
        int j = lastIndexOf(b, "{\"".getBytes(StandardCharsets.US_ASCII));
        if (j < 0) {
            return b;
        }
        int p = j + rnd.nextInt(b.length - j);
        byte[] choices = {'0', '9', '"', '{', '}', '[', ',', ' ', 'x'};
        b[p] = choices[rnd.nextInt(choices.length)];
        what.append("vmdesc ").append(p).append("; ");
        return b;
    }

    private static byte[] countedString(String s) {
        byte[] name = s.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[1 + name.length];
        out[0] = (byte) name.length;
        System.arraycopy(name, 0, out, 1, name.length);
        return out;
    }

    private static int indexOf(byte[] b, byte[] pat, int from) {
        outer:
        for (int i = Math.max(0, from); i + pat.length <= b.length; i++) {
            for (int k = 0; k < pat.length; k++) {
                if (b[i + k] != pat[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static int lastIndexOf(byte[] b, byte[] pat) {
        int start = Math.max(0, b.length - (64 << 10));
        int found = -1;
        // the trailer's JSON opens with the first {" after the last 0x06 byte
        for (int i = b.length - 1; i >= start; i--) {
            int json = i + WireFormat.VMDESC_HEADER_BYTES;
            if (b[i] == WireFormat.VMDESCRIPTION && json < b.length && b[json] == '{') {
                found = json;
                break;
            }
        }
        if (found >= 0) {
            return found;
        }
        return indexOf(b, pat, start);
    }

    /** An output stream into a growable array, without synchronisation. */
    private static final class ByteCollector extends OutputStream {
        private byte[] buf;
        private int len;

        ByteCollector(int size) {
            buf = new byte[Math.max(16, size)];
        }

        @Override
        public void write(int v) {
            ensure(len + 1);
            buf[len++] = (byte) v;
        }

        @Override
        public void write(byte[] b, int off, int n) {
            ensure(len + n);
            System.arraycopy(b, off, buf, len, n);
            len += n;
        }

        private void ensure(int need) {
            if (need > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(need, buf.length * 2));
            }
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, len);
        }
    }
}
