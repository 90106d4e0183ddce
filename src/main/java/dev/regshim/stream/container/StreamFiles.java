package dev.regshim.stream.container;

import dev.regshim.stream.ReadOptions;
import dev.regshim.stream.StreamFormatException;
import dev.regshim.stream.StreamReader;
import dev.regshim.stream.StreamSummary;
import dev.regshim.stream.StreamVisitor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reads a migration stream from a file in whatever container holds it: a bare stream is read directly (seekable, so
 * its vmdesc trailer is read first), a compressed stream or libvirt save image through its decompressed stream.
 */
public final class StreamFiles {

    /** Enough to tell a bare stream, a libvirt image and every codec apart (not a whole libvirt header). */
    private static final int SNIFF = 16;

    private StreamFiles() {
    }

    /** Whether the file starts like a stream, a libvirt save image or a compressed stream (cheap: 16 bytes). */
    public static boolean looksLikeStream(Path file) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        byte[] head = new byte[SNIFF];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, SNIFF);
        } catch (IOException e) {
            return false;
        }
        return SaveImage.Kind.sniff(Arrays.copyOf(head, n)) != null;
    }

    /** Errors in the stream name the file: {@code FILE: offset N (section ...): ...}. */
    public static StreamSummary summarize(Path file, ReadOptions options) throws IOException {
        SaveImage img = SaveImage.open(file);
        if (img.kind() == SaveImage.Kind.QEMU_STREAM) {
            try {
                return StreamReader.summarize(file, options);
            } catch (StreamFormatException e) {
                throw e.inFile(file);
            }
        }
        try (InputStream in = img.openStream()) {
            return StreamReader.summarize(in, options);
        } catch (StreamFormatException e) {
            throw e.inDecompressedStreamOf(file.toString());
        }
    }

    public static void read(Path file, StreamVisitor visitor, ReadOptions options) throws IOException {
        SaveImage img = SaveImage.open(file);
        if (img.kind() == SaveImage.Kind.QEMU_STREAM) {
            try {
                StreamReader.read(file, visitor, options);
            } catch (StreamFormatException e) {
                throw e.inFile(file);
            }
            return;
        }
        try (InputStream in = img.openStream()) {
            StreamReader.read(in, visitor, options);
        } catch (StreamFormatException e) {
            throw e.inDecompressedStreamOf(file.toString());
        }
    }

    /**
     * The raw stream inside a non-seekable input (stdin, a pipe): a bare stream as is, a compressed stream decoded,
     * a libvirt save image past its header and XML area and decoded per its format.
     */
    public static InputStream unwrap(InputStream in) throws IOException {
        java.io.BufferedInputStream b = new java.io.BufferedInputStream(in, 1 << 16);
        b.mark(SaveImage.SNIFF_BYTES);
        byte[] head = b.readNBytes(SaveImage.SNIFF_BYTES);
        b.reset();
        SaveImage.Kind kind = SaveImage.Kind.sniff(head);
        if (kind == SaveImage.Kind.LIBVIRT_SAVE) {
            LibvirtHeader h = LibvirtHeader.parse(head);
            if (h.partial()) {
                throw new ContainerException("standard input: libvirt save image is incomplete (magic '"
                        + LibvirtHeader.MAGIC_PARTIAL + "')");
            }
            if (h.dataLen() > ContainerLimits.DEFAULT.maxXmlAreaBytes()) {
                throw new ContainerException("standard input: libvirt data_len " + h.dataLen() + " at offset "
                        + LibvirtHeader.DATA_LEN_OFFSET + " exceeds the limit");
            }
            long skip = h.streamOffset();
            if (skip(b, skip) != skip) {
                throw new ContainerException("standard input: libvirt save image truncated inside its XML area");
            }
            LibvirtFormat f = LibvirtFormat.fromCode(h.formatCode()).orElseThrow(() -> new ContainerException(
                    "standard input: unknown libvirt format " + h.formatCode() + " at offset " + LibvirtHeader.FORMAT_OFFSET));
            Codec c = f.codec().orElseThrow(() -> new ContainerException(
                    "standard input: libvirt sparse (mapped-ram) images are not supported yet"));
            return SaveImage.decoding(c, b, SaveImage.STDIN);
        }
        if (kind == SaveImage.Kind.COMPRESSED_STREAM) {
            Codec codec = Codec.sniff(head).orElseThrow();
            if (!codec.supported()) {
                throw codec.unsupported();
            }
            return SaveImage.decoding(codec, b, SaveImage.STDIN);
        }
        return b; // a bare stream, or else the stream reader reports what it finds at offset 0
    }

    private static long skip(InputStream in, long n) throws IOException {
        long done = 0;
        while (done < n) {
            long k = in.skip(n - done);
            if (k <= 0) {
                if (in.read() < 0) {
                    break;
                }
                k = 1;
            }
            done += k;
        }
        return done;
    }

    /** The container, when the file is not a bare stream. */
    public static Optional<SaveImage> container(Path file) {
        SaveImage img = SaveImage.open(file);
        return img.kind() == SaveImage.Kind.QEMU_STREAM ? Optional.empty() : Optional.of(img);
    }
}
