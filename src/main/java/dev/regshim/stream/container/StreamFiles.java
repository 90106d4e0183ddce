package dev.regshim.stream.container;

import dev.regshim.stream.ReadOptions;
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

    private static final byte[] QEVM = {'Q', 'E', 'V', 'M'};
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
        byte[] h = Arrays.copyOf(head, n);
        if (n >= 4 && Arrays.equals(Arrays.copyOf(h, 4), QEVM)) {
            return true;
        }
        return LibvirtHeader.hasMagic(h) || Codec.sniff(h).isPresent();
    }

    public static StreamSummary summarize(Path file, ReadOptions options) throws IOException {
        SaveImage img = SaveImage.open(file);
        if (img.kind() == SaveImage.Kind.QEMU_STREAM) {
            return StreamReader.summarize(file, options);
        }
        try (InputStream in = img.openStream()) {
            return StreamReader.summarize(in, options);
        }
    }

    public static void read(Path file, StreamVisitor visitor, ReadOptions options) throws IOException {
        SaveImage img = SaveImage.open(file);
        if (img.kind() == SaveImage.Kind.QEMU_STREAM) {
            StreamReader.read(file, visitor, options);
            return;
        }
        try (InputStream in = img.openStream()) {
            StreamReader.read(in, visitor, options);
        }
    }

    /** The container, when the file is not a bare stream. */
    public static Optional<SaveImage> container(Path file) {
        SaveImage img = SaveImage.open(file);
        return img.kind() == SaveImage.Kind.QEMU_STREAM ? Optional.empty() : Optional.of(img);
    }
}
