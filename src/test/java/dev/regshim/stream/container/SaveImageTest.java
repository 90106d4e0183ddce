package dev.regshim.stream.container;

import dev.regshim.RegshimException;
import dev.regshim.testing.LibvirtImages;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tukaani.xz.XZInputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading and re-wrapping libvirt save images and compressed streams around a real QEMU 7.2 stream. */
class SaveImageTest {

    private static byte[] raw;

    @TempDir
    static Path shared;
    @TempDir
    Path tmp;

    private static Path rawFile;

    @BeforeAll
    static void loadStream() throws IOException {
        try (InputStream in = new XZInputStream(SaveImageTest.class.getResourceAsStream("virt-max-7.2.mig.xz"))) {
            raw = in.readAllBytes();
        }
        rawFile = Files.write(shared.resolve("max.mig"), raw);
    }

    static byte[] readStream(SaveImage image) throws IOException {
        try (InputStream in = image.openStream()) {
            return in.readAllBytes();
        }
    }

    @Test
    void bareStreamIsItsOwnContainer() throws IOException {
        SaveImage image = SaveImage.open(rawFile);
        assertThat(image.kind()).isEqualTo(SaveImage.Kind.QEMU_STREAM);
        assertThat(image.codec()).contains(Codec.NONE);
        assertThat(image.libvirtHeader()).isEmpty();
        assertThat(image.domainXml()).isEmpty();
        assertThat(image.streamOffset()).isZero();
        assertThat(image.prefix()).isEmpty();
        assertThat(readStream(image)).isEqualTo(raw);
        assertThat(image.describe()).isEqualTo("QEMU migration stream, 501045 bytes");
    }

    @ParameterizedTest
    @EnumSource(value = LibvirtFormat.class, names = {"RAW", "GZIP", "BZIP2", "XZ", "ZSTD"})
    void readsLibvirtImagesMadeWithTheRealTools(LibvirtFormat format) throws IOException {
        Path img = LibvirtImages.build(tmp.resolve("vm." + format.libvirtName()), rawFile, format,
                LibvirtImages.DOMAIN_XML, LibvirtImages.COOKIE_XML, true);
        SaveImage image = SaveImage.open(img);
        assertThat(image.kind()).isEqualTo(SaveImage.Kind.LIBVIRT_SAVE);
        assertThat(image.libvirtFormat()).contains(format);
        LibvirtHeader h = image.libvirtHeader().orElseThrow();
        assertThat(h.version()).isEqualTo(2);
        assertThat(h.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThat(h.wasRunningFlag()).isTrue();
        int xmlBytes = LibvirtImages.DOMAIN_XML.getBytes(StandardCharsets.UTF_8).length + 1;
        int cookieBytes = LibvirtImages.COOKIE_XML.length() + 1;
        assertThat(h.dataLen()).isEqualTo(xmlBytes + cookieBytes + LibvirtImages.PADDING);
        assertThat(h.cookieOffset()).isEqualTo(xmlBytes);
        assertThat(image.streamOffset()).isEqualTo(92 + h.dataLen());
        assertThat(image.domainXml()).isEqualTo(LibvirtImages.DOMAIN_XML);
        assertThat(image.cookieXml()).contains(LibvirtImages.COOKIE_XML);
        assertThat(readStream(image)).isEqualTo(raw);
        assertThat(image.describe()).startsWith("libvirt save image v2 (LITTLE_ENDIAN), format "
                + format.libvirtName() + ", was_running=1");

        // re-wrap: header and XML area byte-identical, stream recompressed in the same format
        Path out = tmp.resolve("rewrapped");
        SaveImageWriter.Result r;
        try (InputStream in = image.openStream()) {
            r = SaveImageWriter.rewrap(image, in, out);
        }
        assertThat(r.rawBytes()).isEqualTo(raw.length);
        byte[] written = Files.readAllBytes(out);
        byte[] original = Files.readAllBytes(img);
        assertThat(Arrays.copyOf(written, (int) image.streamOffset()))
                .isEqualTo(Arrays.copyOf(original, (int) image.streamOffset()));
        SaveImage back = SaveImage.open(out);
        assertThat(back.libvirtFormat()).contains(format);
        assertThat(readStream(back)).isEqualTo(raw);
        if (format == LibvirtFormat.RAW) {
            assertThat(written).isEqualTo(original);
        }
    }

    @ParameterizedTest
    @EnumSource(value = LibvirtFormat.class, names = {"RAW", "GZIP", "BZIP2", "XZ", "ZSTD"})
    void rewrapOfOurOwnEncodingIsByteIdentical(LibvirtFormat format) throws IOException {
        Codec codec = format.codec().orElseThrow();
        Path img = tmp.resolve("java." + format.libvirtName());
        try (OutputStream o = Files.newOutputStream(img)) {
            o.write(LibvirtImages.prefix(format, LibvirtImages.DOMAIN_XML, null, false));
            try (OutputStream enc = codec.encoder(new SaveImageWriter.NonClosing(o))) {
                enc.write(raw);
            }
        }
        SaveImage image = SaveImage.open(img);
        assertThat(image.cookieXml()).isEmpty();
        Path out = tmp.resolve("again");
        try (InputStream in = image.openStream()) {
            SaveImageWriter.rewrap(image, in, out);
        }
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(img));
        // and rewrapping in place replaces the image with identical bytes
        try (InputStream in = SaveImage.open(out).openStream()) {
            SaveImageWriter.rewrap(SaveImage.open(out), in, out);
        }
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(img));
    }

    @ParameterizedTest
    @EnumSource(value = LibvirtFormat.class, names = {"GZIP", "BZIP2", "XZ", "ZSTD"})
    void readsWhollyCompressedStreams(LibvirtFormat format) throws IOException {
        Path file = tmp.resolve("max.mig." + format.libvirtName());
        Files.write(file, new byte[0]);
        LibvirtImages.appendCompressed(rawFile, format, file);
        SaveImage image = SaveImage.open(file);
        assertThat(image.kind()).isEqualTo(SaveImage.Kind.COMPRESSED_STREAM);
        assertThat(image.codec()).isEqualTo(format.codec());
        assertThat(image.streamOffset()).isZero();
        assertThat(readStream(image)).isEqualTo(raw);
        Path out = tmp.resolve("re." + format.libvirtName());
        try (InputStream in = image.openStream()) {
            SaveImageWriter.rewrap(image, in, out);
        }
        assertThat(SaveImage.open(out).codec()).isEqualTo(format.codec());
        assertThat(readStream(SaveImage.open(out))).isEqualTo(raw);
    }

    @ParameterizedTest
    @EnumSource(value = LibvirtFormat.class, names = {"RAW", "GZIP", "XZ"})
    void readsTheSameByteByByteAndInOddChunks(LibvirtFormat format) throws IOException {
        Path img = LibvirtImages.build(tmp.resolve("vm"), rawFile, format);
        ByteArrayOutputStream single = new ByteArrayOutputStream();
        try (InputStream in = SaveImage.open(img).openStream()) {
            int b;
            while ((b = in.read()) >= 0) {
                single.write(b);
            }
        }
        assertThat(single.toByteArray()).isEqualTo(raw);
        ByteArrayOutputStream chunked = new ByteArrayOutputStream();
        java.util.Random rnd = new java.util.Random(7);
        try (InputStream in = SaveImage.open(img).openStream()) {
            byte[] buf = new byte[4099];
            while (true) {
                int off = rnd.nextInt(3);
                int n = in.read(buf, off, 1 + rnd.nextInt(4096));
                if (n < 0) {
                    break;
                }
                chunked.write(buf, off, n);
            }
        }
        assertThat(chunked.toByteArray()).isEqualTo(raw);
    }

    @Test
    void rewrapCarriesARewrittenStream() throws IOException {
        Path img = LibvirtImages.build(tmp.resolve("vm.xz"), rawFile, LibvirtFormat.XZ);
        byte[] changed = raw.clone();
        changed[changed.length - 2] ^= 0x01; // somewhere in the vmdesc JSON trailer
        Path out = tmp.resolve("changed.xz");
        SaveImageWriter.Result r = SaveImageWriter.rewrap(SaveImage.open(img),
                new java.io.ByteArrayInputStream(changed), out);
        assertThat(readStream(SaveImage.open(out))).isEqualTo(changed);
        assertThat(r.rawSha256()).hasSize(64);
        assertThat(r.fileBytes()).isEqualTo(Files.size(out));
        assertThat(SaveImage.open(out).prefix()).isEqualTo(SaveImage.open(img).prefix());
    }

    @Test
    void readsABigEndianHeader() throws IOException {
        byte[] prefix = LibvirtImages.prefix(LibvirtFormat.RAW, "<domain/>", null, true);
        LibvirtHeader le = LibvirtHeader.parse(Arrays.copyOf(prefix, LibvirtHeader.LENGTH));
        LibvirtHeader be = new LibvirtHeader(false, ByteOrder.BIG_ENDIAN, le.version(), le.dataLen(),
                le.wasRunning(), le.formatCode(), le.cookieOffset(), le.unused());
        byte[] beBytes = be.encode();
        assertThat(beBytes[LibvirtHeader.VERSION_OFFSET + 3]).isEqualTo((byte) 2);
        System.arraycopy(beBytes, 0, prefix, 0, beBytes.length);
        Path img = tmp.resolve("be.img");
        Files.write(img, prefix);
        Files.write(img, raw, java.nio.file.StandardOpenOption.APPEND);
        SaveImage image = SaveImage.open(img);
        assertThat(image.libvirtHeader().orElseThrow().order()).isEqualTo(ByteOrder.BIG_ENDIAN);
        assertThat(image.libvirtHeader().orElseThrow().dataLen()).isEqualTo(le.dataLen());
        assertThat(image.domainXml()).isEqualTo("<domain/>");
        assertThat(readStream(image)).isEqualTo(raw);
        assertThat(LibvirtHeader.parse(beBytes).encode()).isEqualTo(beBytes);
    }

    @Test
    void headerParseEncodeRoundTripsEveryField() {
        int[] unused = new int[LibvirtHeader.UNUSED_COUNT];
        unused[13] = 0x7f;
        LibvirtHeader h = new LibvirtHeader(true, ByteOrder.LITTLE_ENDIAN, 1, 0xfffffff0L, 7, 5, 300, unused);
        byte[] b = h.encode();
        assertThat(b).hasSize(92);
        assertThat(new String(b, 0, 16, StandardCharsets.US_ASCII)).isEqualTo("LibvirtQemudPart");
        assertThat(LibvirtHeader.parse(b)).isEqualTo(h);
        assertThat(LibvirtHeader.parse(b).encode()).isEqualTo(b);
        assertThat(LibvirtHeader.parse(b).unused()[13]).isEqualTo(0x7f);
    }

    // ---- hostile and unsupported input: one line, with the offset, exit code 2 ----

    private Path image(LibvirtHeader header, byte[] after) throws IOException {
        Path f = tmp.resolve("h" + System.nanoTime() + ".img");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(header.encode());
        b.writeBytes(after);
        return Files.write(f, b.toByteArray());
    }

    private static byte[] areaAndStream(String xml, int padding) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(LibvirtImages.xmlArea(xml, null, padding));
        b.writeBytes(raw);
        return b.toByteArray();
    }

    private static void assertRefused(Path file, String... parts) {
        assertThatThrownBy(() -> readStream(SaveImage.open(file)))
                .isInstanceOfSatisfying(ContainerException.class, e -> {
                    assertThat(e.getMessage()).doesNotContain("\n").startsWith(file.toString() + ": ");
                    assertThat(e.exitCode()).isEqualTo(RegshimException.EXIT_INPUT);
                    for (String p : parts) {
                        assertThat(e.getMessage()).contains(p);
                    }
                });
    }

    @Test
    void refusesAnIncompleteImage() throws IOException {
        byte[] area = LibvirtImages.xmlArea("<domain/>", null, 16);
        LibvirtHeader partial = new LibvirtHeader(true, ByteOrder.LITTLE_ENDIAN, 2, area.length, 0, 0, 0,
                new int[14]);
        assertRefused(image(partial, areaAndStream("<domain/>", 16)), "incomplete", "LibvirtQemudPart",
                "offset 0");
    }

    @Test
    void refusesBadHeaderFields() throws IOException {
        int len = 9 + 1 + 16;
        assertRefused(image(LibvirtHeader.of(len, false, LibvirtFormat.RAW, 0), new byte[0]),
                "truncated", "offset 20", "file ends at offset 92");
        assertRefused(image(new LibvirtHeader(false, ByteOrder.LITTLE_ENDIAN, 3, len, 0, 0, 0, new int[14]),
                areaAndStream("<domain/>", 16)), "unsupported version 3 at offset 16");
        assertRefused(image(new LibvirtHeader(false, ByteOrder.LITTLE_ENDIAN, 2, len, 0, 9, 0, new int[14]),
                areaAndStream("<domain/>", 16)), "unknown format 9 at offset 28");
        assertRefused(image(LibvirtHeader.of(0xfffffff0L, false, LibvirtFormat.RAW, 0),
                areaAndStream("<domain/>", 16)), "data_len 4294967280 at offset 20 exceeds the limit of 16777216");
        assertRefused(image(LibvirtHeader.of(0, false, LibvirtFormat.RAW, 0), raw), "invalid data_len 0 at offset 20");
        assertRefused(image(LibvirtHeader.of(len, false, LibvirtFormat.RAW, 500), areaAndStream("<domain/>", 16)),
                "cookieOffset 500 at offset 32");
        assertRefused(image(LibvirtHeader.of(len, false, LibvirtFormat.RAW, 0), LibvirtImages.xmlArea("<domain/>",
                null, 16)), "holds no QEMU stream", "offset 118");
        // XML without its NUL inside data_len
        byte[] noNul = "<domain>xxxxxxxxxxxxxxxxx".getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(noNul);
        b.writeBytes(raw);
        assertRefused(image(LibvirtHeader.of(noNul.length, false, LibvirtFormat.RAW, 0), b.toByteArray()),
                "domain XML at offset 92 has no terminating NUL within its 25 bytes");
        // invalid UTF-8
        byte[] bad = {'<', (byte) 0xc3, (byte) 0x28, '>', 0};
        b.reset();
        b.writeBytes(bad);
        b.writeBytes(raw);
        assertRefused(image(LibvirtHeader.of(bad.length, false, LibvirtFormat.RAW, 0), b.toByteArray()),
                "not valid UTF-8");
        // a limit smaller than the XML area
        Path ok = image(LibvirtHeader.of(len, false, LibvirtFormat.RAW, 0), areaAndStream("<domain/>", 16));
        assertThatThrownBy(() -> SaveImage.open(ok, ContainerLimits.DEFAULT.withMaxXmlAreaBytes(10)))
                .hasMessageContaining("exceeds the limit of 10 bytes");
        assertThat(SaveImage.open(ok).domainXml()).isEqualTo("<domain/>");
    }

    @Test
    void refusesATruncatedHeaderAndUnknownFiles() throws IOException {
        Path shortHeader = Files.write(tmp.resolve("short"), Arrays.copyOf(
                LibvirtHeader.of(10, false, LibvirtFormat.RAW, 0).encode(), 50));
        assertRefused(shortHeader, "header truncated at offset 50");
        Path text = Files.writeString(tmp.resolve("text"), "hello world, not a stream");
        assertRefused(text, "not a QEMU migration stream, libvirt save image or compressed stream",
                "68 65 6c 6c 6f 20 77 6f");
        Path empty = Files.write(tmp.resolve("empty"), new byte[0]);
        assertRefused(empty, "empty file");
        assertThatThrownBy(() -> SaveImage.open(tmp.resolve("missing"))).hasMessageEndingWith(": no such file");
    }

    @Test
    void refusesLzopAndSparseWithReasons() throws IOException {
        Path lzop = image(LibvirtHeader.of(26, false, LibvirtFormat.LZOP, 0), areaAndStream("<domain/>", 16));
        SaveImage image = SaveImage.open(lzop);
        assertThat(image.domainXml()).isEqualTo("<domain/>"); // header and XML stay readable
        assertRefused(lzop, "lzop-compressed streams are not supported", "lzop -dc");
        assertThatThrownBy(() -> SaveImageWriter.rewrap(image, new java.io.ByteArrayInputStream(raw),
                tmp.resolve("x"))).hasMessageContaining("cannot write lzop-compressed images");

        byte[] lzopMagic = {(byte) 0x89, 'L', 'Z', 'O', 0, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0};
        assertRefused(Files.write(tmp.resolve("plain.lzo"), lzopMagic), "lzop-compressed streams are not supported");

        Path sparse = image(LibvirtHeader.of(26, false, LibvirtFormat.SPARSE, 0), areaAndStream("<domain/>", 16));
        assertRefused(sparse, "format 6 (sparse, at offset 28)", "mapped-ram", "not supported yet");
        assertThatThrownBy(() -> SaveImageWriter.rewrap(SaveImage.open(sparse), new java.io.ByteArrayInputStream(raw),
                tmp.resolve("y"))).hasMessageContaining("sparse");
    }

    @Test
    void refusesDataThatContradictsTheHeaderOrIsNotAStream() throws IOException {
        Path saysXz = image(LibvirtHeader.of(26, false, LibvirtFormat.XZ, 0), areaAndStream("<domain/>", 16));
        assertRefused(saysXz, "header says format xz (offset 28)", "data at offset 118 starts with 51 45 56 4d",
                "not xz data");

        Path gzText = tmp.resolve("text.gz");
        try (OutputStream o = Codec.GZIP.encoder(Files.newOutputStream(gzText))) {
            o.write("definitely not QEVM".getBytes(StandardCharsets.US_ASCII));
        }
        assertRefused(gzText, "gzip-compressed stream at offset 0 is not a QEMU migration stream",
                "64 65 66 69");

        Path gzImage = tmp.resolve("image.gz");
        try (OutputStream o = Codec.GZIP.encoder(Files.newOutputStream(gzImage))) {
            o.write(LibvirtImages.prefix(LibvirtFormat.RAW, "<domain/>", null, false));
        }
        assertRefused(gzImage, "compressed libvirt save image: decompress it first");

        assertThatThrownBy(() -> SaveImageWriter.rewrap(SaveImage.open(rawFile),
                new java.io.ByteArrayInputStream("nope".getBytes(StandardCharsets.US_ASCII)), tmp.resolve("z")))
                .hasMessage("refusing to wrap data that is not a QEMU migration stream (it starts with 6e 6f 70 65)");
        assertThat(Files.list(tmp).filter(p -> p.getFileName().toString().contains(".tmp"))).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = Codec.class, names = {"GZIP", "BZIP2", "XZ", "ZSTD"})
    void truncatedCompressedDataFailsWithTheOffset(Codec codec) throws IOException {
        ByteArrayOutputStream enc = new ByteArrayOutputStream();
        try (OutputStream o = codec.encoder(enc)) {
            o.write(raw);
        }
        byte[] whole = enc.toByteArray();
        Path cut = Files.write(tmp.resolve("cut." + codec.toolName()), Arrays.copyOf(whole, whole.length / 2));
        assertRefused(cut, "corrupt or truncated " + codec.toolName() + " data near file offset");

        byte[] flipped = whole.clone();
        flipped[whole.length / 2] ^= (byte) 0xff;
        Path bad = Files.write(tmp.resolve("bad." + codec.toolName()), flipped);
        // bzip2 checks a block's CRC only at its end, so its first bytes may come out as garbage instead
        assertRefused(bad, codec.toolName());
    }

    @Test
    void xzDecoderMemoryIsBounded() throws IOException {
        Path file = tmp.resolve("big-dict.xz");
        org.tukaani.xz.LZMA2Options bigDictionary = new org.tukaani.xz.LZMA2Options(0);
        bigDictionary.setDictSize(8 << 20); // the decoder needs ~8 MiB, more than the 1 MiB allowed below
        try (OutputStream o = new org.tukaani.xz.XZOutputStream(Files.newOutputStream(file), bigDictionary)) {
            o.write(raw);
        }
        SaveImage image = SaveImage.open(file, ContainerLimits.DEFAULT.withXzMemoryLimitKiB(1024));
        assertThatThrownBy(() -> readStream(image)).isInstanceOf(ContainerException.class)
                .hasMessageContaining("memory");
        assertThat(readStream(SaveImage.open(file))).isEqualTo(raw);
    }

    @Test
    void layoutConstantsMatchLibvirt() {
        assertThat(LibvirtHeader.VERSION_OFFSET).isEqualTo(16);
        assertThat(LibvirtHeader.DATA_LEN_OFFSET).isEqualTo(20);
        assertThat(LibvirtHeader.FORMAT_OFFSET).isEqualTo(28);
        assertThat(LibvirtHeader.COOKIE_OFFSET_OFFSET).isEqualTo(32);
        assertThat(LibvirtHeader.LENGTH).isEqualTo(92);
        assertThat(ByteBuffer.wrap(LibvirtHeader.of(1, true, LibvirtFormat.ZSTD, 0).encode())
                .order(ByteOrder.LITTLE_ENDIAN).getInt(LibvirtHeader.FORMAT_OFFSET)).isEqualTo(5);
        assertThat(LibvirtFormat.fromCode(6)).contains(LibvirtFormat.SPARSE);
        assertThat(LibvirtFormat.fromCode(7)).isEmpty();
    }
}
