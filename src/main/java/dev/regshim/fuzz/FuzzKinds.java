package dev.regshim.fuzz;

import com.github.luben.zstd.ZstdOutputStream;
import dev.regshim.stream.CpuSection;
import dev.regshim.stream.ReadOptions;
import dev.regshim.stream.StreamReader;
import dev.regshim.stream.StreamSummary;
import dev.regshim.stream.container.LibvirtFormat;
import dev.regshim.stream.container.LibvirtHeader;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.GZIPOutputStream;

/**
 * The standard fuzz kinds, each with a corpus made from real (shrunk) migration streams: the stream itself; the stream
 * compressed with every codec (gzip, bzip2, xz, zstd) and lzop's refused magic; libvirt save images (raw, gzip, xz);
 * profile JSON (as {@code profile from-stream} writes it); register lists; fleet files. Each is read by the command a
 * user would run on it.
 *
 * <p>Adding an input kind (the hook for QEMU error logs read by {@code explain}): pass it in {@code extra}, e.g.
 * {@code FuzzKind.of("qemu-log", ".log", logs, FuzzKind.Mutator.TEXT, List.of("explain", "{}"))}; it is then run,
 * classified and reported like the others, in the suite and by {@code regshim fuzz --kind qemu-log}.
 */
public final class FuzzKinds {

    /** The kinds {@link #standard} makes, in order. */
    public static final List<String> NAMES = List.of("stream", "gzip", "bzip2", "xz", "zstd", "lzop", "libvirt",
            "profile", "reglist", "fleet", "qemu-log");
    /** Compressed kinds take the smallest streams: every case decompresses its input whole. */
    private static final int COMPRESSED_CORPUS = 2;
    private static final byte[] LZOP_MAGIC = {(byte) 0x89, 'L', 'Z', 'O', 0, 0x0d, 0x0a, 0x1a, 0x0a};

    /**
     * Compression settings sized to the corpus (streams of tens of KB), not to real images: the decoder allocates the
     * block (bzip2) and dictionary (xz) sizes the header declares, for every case, and at the usual 900 KB / 4 MiB
     * that allocation, not the reading, is most of a case's time. The code paths are the same; mutations of the
     * header still ask for any size.
     */
    private static final int BZIP2_BLOCK = 1;
    private static final int XZ_DICTIONARY = 64 << 10;

    private FuzzKinds() {
    }

    private static LZMA2Options xzOptions() {
        try {
            LZMA2Options o = new LZMA2Options(3);
            o.setDictSize(XZ_DICTIONARY);
            return o;
        } catch (org.tukaani.xz.UnsupportedOptionsException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param streams valid QEMU migration streams (shrunk: each case reads its input whole)
     * @param target  runs the CLI; used once here to write the profile corpus with {@code profile from-stream}
     * @param corpusDir where corpus files other kinds refer to (profiles named by fleet files) are kept
     * @param extra   more kinds (QEMU logs), appended
     */
    public static Map<String, FuzzKind> standard(List<byte[]> streams, FuzzTarget target, Path corpusDir,
                                                 List<FuzzKind> extra) {
        List<byte[]> smallest = streams.stream().sorted(Comparator.comparingInt(b -> b.length))
                .limit(COMPRESSED_CORPUS).toList();
        List<String> inspect = List.of("inspect", "{}");
        Map<String, FuzzKind> kinds = new LinkedHashMap<>();
        add(kinds, FuzzKind.of("stream", ".mig", streams, FuzzKind.Mutator.BINARY, inspect));
        add(kinds, FuzzKind.of("gzip", ".mig.gz", map(smallest, b -> compress(b, GZIPOutputStream::new)),
                FuzzKind.Mutator.BINARY, inspect));
        add(kinds, FuzzKind.of("bzip2", ".mig.bz2", map(smallest, b -> compress(b, o -> new BZip2CompressorOutputStream(o,
                BZIP2_BLOCK))), FuzzKind.Mutator.BINARY, inspect));
        add(kinds, FuzzKind.of("xz", ".mig.xz", map(smallest, b -> compress(b, o -> new XZOutputStream(o, xzOptions()))), FuzzKind.Mutator.BINARY, inspect));
        add(kinds, FuzzKind.of("zstd", ".mig.zst", map(smallest, b -> compress(b, o -> {
            ZstdOutputStream z = new ZstdOutputStream(o, 3);
            z.setChecksum(true);
            return z;
        })), FuzzKind.Mutator.BINARY, inspect));
        add(kinds, FuzzKind.of("lzop", ".mig.lzo", List.of(concat(LZOP_MAGIC, smallest.get(0))),
                FuzzKind.Mutator.BINARY, inspect));
        List<byte[]> images = new ArrayList<>();
        for (byte[] s : smallest) {
            images.add(saveImage(s, LibvirtFormat.RAW, s));
            images.add(saveImage(s, LibvirtFormat.GZIP, compress(s, GZIPOutputStream::new)));
            images.add(saveImage(s, LibvirtFormat.XZ, compress(s, o -> new XZOutputStream(o, xzOptions()))));
        }
        add(kinds, FuzzKind.of("libvirt", ".save", images, FuzzKind.Mutator.BINARY, inspect));
        List<byte[]> profiles = profiles(smallest, target, corpusDir);
        add(kinds, FuzzKind.of("profile", ".json", profiles, FuzzKind.Mutator.TEXT, List.of("profile", "show", "{}")));
        add(kinds, FuzzKind.of("reglist", ".txt", regLists(smallest), FuzzKind.Mutator.TEXT,
                List.of("regs", "parse", "-f", "{}")));
        add(kinds, FuzzKind.of("fleet", ".fleet", fleets(corpusDir, profiles.size()), FuzzKind.Mutator.TEXT,
                List.of("plan", "--fleet", "{}")));
        add(kinds, FuzzKind.of("qemu-log", ".log", qemuLogs(), FuzzKind.Mutator.TEXT, List.of("explain", "{}")));
        extra.forEach(k -> add(kinds, k));
        return kinds;
    }

    /** What destination QEMUs printed for failed loads (7.2, 10.0, 11.1; one as a libvirt log with CRLF). */
    static List<byte[]> qemuLogs() {
        String p = "qemu-system-aarch64: ";
        List<String> logs = List.of(
                p + "Invalid value 275 expecting positive value <= 258\n" + p
                        + "Failed to load cpu:cpreg_vmstate_array_len\n" + p
                        + "error while loading state for instance 0x0 of device 'cpu'\n" + p
                        + "load of migration failed: Invalid argument\n",
                p + "error while loading state for instance 0x0 of device 'cpu'\n" + p
                        + "load of migration failed: Operation not permitted\n",
                p + "migration/vmstate.c:172: vmstate_load_state: Assertion `first_elem || !n_elems || !size' failed.\n",
                "2026-12-03 10:00:00.000+0000: " + p + "warning: Machine type 'virt-7.2' is deprecated: machines more "
                        + "than 3 years old are subject to deletion after 6 years\r\n2026-12-03 10:00:00.100+0000: " + p
                        + "handle_cpreg_only_in_incoming_stream: system register 0x1013c030 in the incoming stream but "
                        + "unknown on the destination: fail migration\r\n" + p + "load of migration failed: Invalid "
                        + "argument: error while loading state for instance 0x0 of device 'cpu': post load hook failed "
                        + "for: cpu, version_id: 22, minimum_version: 22, ret: -1\r\n",
                p + "Could not set register fw reg 0 to 10003 (is 10001)\n" + p
                        + "Failed to put registers after init: Invalid argument\n");
        return logs.stream().map(l -> l.getBytes(StandardCharsets.UTF_8)).toList();
    }

    private static void add(Map<String, FuzzKind> kinds, FuzzKind k) {
        kinds.put(k.name(), k);
    }

    private static List<byte[]> map(List<byte[]> in, Function<byte[], byte[]> f) {
        return in.stream().map(f).toList();
    }

    private interface Encoder {
        OutputStream wrap(OutputStream o) throws IOException;
    }

    private static byte[] compress(byte[] b, Encoder e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length / 2 + 64);
        try (OutputStream o = e.wrap(out)) {
            o.write(b);
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        return out.toByteArray();
    }

    /** A {@code virsh save} image: header, the domain XML padded with NULs, then the stream in {@code format}. */
    private static byte[] saveImage(byte[] stream, LibvirtFormat format, byte[] payload) {
        byte[] xml = "<domain type='kvm'><name>fuzz</name></domain>\n".getBytes(StandardCharsets.UTF_8);
        int dataLen = xml.length + 1 + 64;
        byte[] area = new byte[dataLen];
        System.arraycopy(xml, 0, area, 0, xml.length);
        byte[] header = LibvirtHeader.of(dataLen, true, format, 0).encode();
        return concat(concat(header, area), payload);
    }

    /** The profiles {@code profile from-stream} writes, kept in {@code dir} (fleet files name them). */
    private static List<byte[]> profiles(List<byte[]> streams, FuzzTarget target, Path dir) {
        List<byte[]> out = new ArrayList<>();
        try {
            for (int i = 0; i < streams.size(); i++) {
                Path s = Files.write(dir.resolve("corpus-" + i + ".mig"), streams.get(i));
                Path p = dir.resolve("profile-" + i + ".json");
                FuzzTarget.Outcome o = target.run(List.of("profile", "from-stream", s.toString(), "-o", p.toString()));
                if (o.exit() != 0) {
                    throw new IllegalStateException("cannot make the profile corpus: " + o.err());
                }
                // the profile records its source's path: the file name alone keeps the corpus the same in every run
                String text = Files.readString(p, StandardCharsets.UTF_8).replace(s.toString(), s.getFileName().toString());
                Files.writeString(p, text, StandardCharsets.UTF_8);
                out.add(text.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Register lists in the forms {@code regs parse -f} reads: IDs, IDs with values, names. */
    private static List<byte[]> regLists(List<byte[]> streams) {
        List<byte[]> out = new ArrayList<>();
        for (byte[] s : streams) {
            StreamSummary sum;
            try {
                sum = StreamReader.summarize(new ByteArrayInputStream(s), ReadOptions.defaults());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            CpuSection cpu = sum.cpus().get(0);
            StringBuilder ids = new StringBuilder("# cpregs of cpu 0\n");
            StringBuilder values = new StringBuilder();
            for (int i = 0; i < cpu.cpregCount(); i++) {
                ids.append(String.format("0x%016x%n", cpu.id(i)));
                values.append(String.format("0x%016x = 0x%x%n", cpu.id(i), cpu.value(i)));
            }
            out.add(ids.toString().getBytes(StandardCharsets.UTF_8));
            out.add(values.toString().getBytes(StandardCharsets.UTF_8));
        }
        out.add("SCTLR_EL1\nTCR2_EL1\nPIRE0_EL1 = 0x1\nop0: 3 op1: 0 crn: 10 crm: 2 op2: 3\nKVM_REG_ARM_VENDOR_HYP_BMAP_2\n"
                .getBytes(StandardCharsets.UTF_8));
        return out;
    }

    /** Fleet files naming the profile corpus and kernel lists. */
    private static List<byte[]> fleets(Path dir, int profiles) {
        List<byte[]> out = new ArrayList<>();
        StringBuilder b = new StringBuilder("# fleet\n");
        for (int i = 0; i < profiles; i++) {
            b.append("host").append(i).append('=').append(dir.resolve("profile-" + i + ".json")).append('\n');
        }
        out.add(b.toString().getBytes(StandardCharsets.UTF_8));
        out.add("a=kernel:6.12\nb=kernel:6.13\nc=kernel:7.3\n".getBytes(StandardCharsets.UTF_8));
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] o = new byte[a.length + b.length];
        System.arraycopy(a, 0, o, 0, a.length);
        System.arraycopy(b, 0, o, a.length, b.length);
        return o;
    }
}
