package dev.regshim.stream.container;

import com.github.luben.zstd.ZstdOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

/**
 * The compressions a migration stream may be wrapped in, recognised by their magic bytes, with the settings of the
 * command-line tools libvirt pipes the stream through ({@code <prog> -c}; {@code xz -c -3}).
 */
public enum Codec {
    /** The QEMU stream itself, uncompressed. */
    NONE("raw", new byte[0]),
    GZIP("gzip", new byte[] {0x1f, (byte) 0x8b}),
    BZIP2("bzip2", new byte[] {'B', 'Z', 'h'}),
    XZ("xz", new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0}),
    ZSTD("zstd", new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}),
    /** Recognised and refused: no well-kept Java implementation of the lzop format exists. */
    LZOP("lzop", new byte[] {(byte) 0x89, 'L', 'Z', 'O', 0, 0x0d, 0x0a, 0x1a, 0x0a});

    /** gzip's default level, as {@code gzip -c}. */
    static final int GZIP_LEVEL = 6;
    /** libvirt runs {@code xz -c -3}. */
    static final int XZ_PRESET = 3;
    /** bzip2's default block size (900 kB), as {@code bzip2 -c}. */
    static final int BZIP2_BLOCK_SIZE = 9;
    /** zstd's default level; the CLI also writes a content checksum. */
    static final int ZSTD_LEVEL = 3;
    /** Longest magic of any codec: how many leading bytes {@link #sniff} needs. */
    public static final int MAGIC_BYTES = 9;

    private final String toolName;
    private final byte[] magic;

    Codec(String toolName, byte[] magic) {
        this.toolName = toolName;
        this.magic = magic;
    }

    /** The name libvirt and the command-line tool use: "gzip", "xz", ... ("raw" for none). */
    public String toolName() {
        return toolName;
    }

    public boolean supported() {
        return this != LZOP;
    }

    /** The compressed codec whose magic starts {@code head}, if any (never NONE). */
    public static Optional<Codec> sniff(byte[] head) {
        for (Codec c : values()) {
            if (c.magic.length > 0 && head.length >= c.magic.length
                    && Arrays.equals(head, 0, c.magic.length, c.magic, 0, c.magic.length)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    boolean matches(byte[] head) {
        return this == NONE || sniff(head).orElse(null) == this;
    }

    InputStream decoder(InputStream in, ContainerLimits limits) throws IOException {
        switch (this) {
            case NONE:
                return in;
            case GZIP:
                // concatenated members as gzip -d reads them; anything else after the last member is refused, as the
                // other codecs refuse it (java.util.zip's reader would drop it silently)
                return new GzipCompressorInputStream(in, true);
            case BZIP2:
                return new BZip2CompressorInputStream(in, true);
            case XZ:
                return new XZInputStream(in, limits.xzMemoryLimitKiB());
            case ZSTD:
                return new ZstdCompressorInputStream(in);
            default:
                throw unsupported();
        }
    }

    OutputStream encoder(OutputStream out) throws IOException {
        switch (this) {
            case NONE:
                return out;
            case GZIP:
                return new GZIPOutputStream(out, 64 * 1024) {
                    {
                        def.setLevel(GZIP_LEVEL);
                    }
                };
            case BZIP2:
                return new BZip2CompressorOutputStream(out, BZIP2_BLOCK_SIZE);
            case XZ:
                return new XZOutputStream(out, new LZMA2Options(XZ_PRESET), org.tukaani.xz.XZ.CHECK_CRC64);
            case ZSTD:
                ZstdOutputStream z = new ZstdOutputStream(out, ZSTD_LEVEL);
                z.setChecksum(true);
                return z;
            default:
                throw unsupported();
        }
    }

    ContainerException unsupported() {
        return new ContainerException(toolName + "-compressed streams are not supported (no maintained Java "
                + toolName + " implementation); decompress with '" + toolName + " -dc' first");
    }
}
