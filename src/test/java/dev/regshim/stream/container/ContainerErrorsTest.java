package dev.regshim.stream.container;

import dev.regshim.RegshimException;
import dev.regshim.stream.ReadOptions;
import dev.regshim.stream.StreamFormatException;
import dev.regshim.stream.StreamReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.tukaani.xz.XZInputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Damaged compressed streams end in one line naming the file and saying where: in the compressed file ("near file
 * offset") or in the decompressed stream ("decompressed stream offset"); every codec refuses data after its end.
 */
class ContainerErrorsTest {

    private static byte[] raw;

    @TempDir
    Path tmp;

    @BeforeAll
    static void loadStream() throws IOException {
        try (InputStream in = new XZInputStream(SaveImageTest.class.getResourceAsStream("virt-max-7.2.mig.xz"))) {
            raw = in.readAllBytes();
        }
    }

    private static byte[] encode(Codec codec, byte[] data) throws IOException {
        ByteArrayOutputStream enc = new ByteArrayOutputStream();
        try (OutputStream o = codec.encoder(enc)) {
            o.write(data);
        }
        return enc.toByteArray();
    }

    private static RegshimException summarizeFails(Path file) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(
                () -> StreamFiles.summarize(file, ReadOptions.defaults()));
        assertThat(t).isInstanceOf(RegshimException.class);
        assertThat(t.getMessage()).doesNotContain("\n").doesNotContain("null").startsWith(file + ": ");
        return (RegshimException) t;
    }

    @ParameterizedTest
    @EnumSource(value = Codec.class, names = {"GZIP", "BZIP2", "XZ", "ZSTD"})
    void cutByOneByteNamesTheFileAndTheFileOffset(Codec codec) throws IOException {
        byte[] whole = encode(codec, raw);
        for (int cut = 1; cut <= 16; cut++) {
            Path f = Files.write(tmp.resolve("cut" + cut + "." + codec.toolName()),
                    Arrays.copyOf(whole, whole.length - cut));
            assertThat(summarizeFails(f)).isInstanceOf(ContainerException.class).hasMessageContaining(
                    "corrupt or truncated " + codec.toolName() + " data near file offset ");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Codec.class, names = {"GZIP", "BZIP2", "XZ", "ZSTD"})
    void trailingJunkIsRefusedByEveryCodec(Codec codec) throws IOException {
        byte[] whole = encode(codec, raw);
        for (byte[] junk : new byte[][] {"junk\n".getBytes(StandardCharsets.US_ASCII), {0}, {0x1f}}) {
            byte[] withJunk = Arrays.copyOf(whole, whole.length + junk.length);
            System.arraycopy(junk, 0, withJunk, whole.length, junk.length);
            Path f = Files.write(tmp.resolve("junk." + codec.toolName()), withJunk);
            assertThat(summarizeFails(f)).isInstanceOf(ContainerException.class)
                    .hasMessageContaining("near file offset ");
        }
        Path clean = Files.write(tmp.resolve("clean." + codec.toolName()), whole);
        assertThat(StreamFiles.summarize(clean, ReadOptions.defaults()).totalBytes()).isEqualTo(raw.length);
    }

    @Test
    void concatenatedGzipMembersAreOneStreamAsGzipReadsThem() throws IOException {
        int half = raw.length / 2;
        byte[] a = encode(Codec.GZIP, Arrays.copyOf(raw, half));
        byte[] b = encode(Codec.GZIP, Arrays.copyOfRange(raw, half, raw.length));
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        Path f = Files.write(tmp.resolve("two.gz"), both);
        try (InputStream in = SaveImage.open(f).openStream()) {
            assertThat(in.readAllBytes()).isEqualTo(raw);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Codec.class, names = {"GZIP", "BZIP2", "XZ", "ZSTD"})
    void aBadStreamInsideSaysTheOffsetIsInTheDecompressedStream(Codec codec) throws IOException {
        byte[] bad = raw.clone();
        bad[8] = 0x42; // the first section type
        Path f = Files.write(tmp.resolve("bad-inside." + codec.toolName()), encode(codec, bad));
        assertThat(summarizeFails(f)).isInstanceOf(StreamFormatException.class)
                .hasMessage(f + ": decompressed stream offset 8: unknown section type 0x42")
                .extracting(e -> ((StreamFormatException) e).offset()).isEqualTo(8L);
    }

    @Test
    void standardInputErrorsNameIt() throws IOException {
        byte[] whole = encode(Codec.XZ, raw);
        InputStream in = StreamFiles.unwrap(new ByteArrayInputStream(Arrays.copyOf(whole, whole.length - 1)));
        assertThatThrownBy(() -> StreamReader.summarize(in, ReadOptions.defaults()))
                .isInstanceOf(ContainerException.class)
                .hasMessageStartingWith("standard input: corrupt or truncated xz data near input offset ");
    }
}
