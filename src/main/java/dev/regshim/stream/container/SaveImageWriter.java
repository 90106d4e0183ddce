package dev.regshim.stream.container;

import dev.regshim.stream.StreamHeader;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Re-wraps a (rewritten) raw QEMU stream in the container of an existing image: the libvirt header and XML area are
 * copied byte for byte (so {@code data_len}, {@code was_running}, the domain XML and the cookie are unchanged), and
 * the stream is compressed again in the image's own format with the settings libvirt's tools use ({@link Codec}).
 * Bare streams are written as they are; wholly compressed streams are recompressed with their codec.
 * Nothing is held in memory beyond the XML area and fixed buffers.
 */
public final class SaveImageWriter {

    private static final int BUFFER_BYTES = 64 * 1024;

    /**
     * What a verified rewrap wrote.
     *
     * @param rawBytes  length of the QEMU stream inside
     * @param rawSha256 SHA-256 of the QEMU stream inside, hex
     */
    public record Result(Path file, long fileBytes, long rawBytes, String rawSha256) {
    }

    private SaveImageWriter() {
    }

    /**
     * Writes {@code original}'s header and XML area, then {@code raw} encoded in its format, to {@code out}
     * (which stays open). No verification: use {@link #rewrap(SaveImage, InputStream, Path)} for files.
     *
     * @return the number of raw stream bytes written
     * @throws ContainerException when {@code raw} is not a QEMU stream or the format cannot be written
     */
    public static long rewrap(SaveImage original, InputStream raw, OutputStream out) throws IOException {
        Codec codec = writableCodec(original);
        copyPrefix(original, out);
        OutputStream encoder = codec.encoder(new NonClosing(out));
        long n = copyStream(raw, encoder);
        encoder.close(); // finishes the compressed frame; NonClosing keeps `out` open
        out.flush();
        return n;
    }

    /**
     * Writes {@code original}'s header and XML area to {@code out} and returns a stream that encodes what is written
     * to it in the image's format. Closing the returned stream finishes the encoding but leaves {@code out} open.
     */
    public static OutputStream wrapping(SaveImage original, OutputStream out) throws IOException {
        Codec codec = writableCodec(original);
        copyPrefix(original, out);
        return codec.encoder(new NonClosing(out));
    }

    /**
     * Rewraps into {@code target} via a temporary file in the same directory, then re-reads what it wrote: the
     * header and XML area must equal the original's and the decompressed stream must hash to what was written.
     * Only then is the file moved into place ({@code target} may be the original image itself).
     */
    public static Result rewrap(SaveImage original, InputStream raw, Path target) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            MessageDigest digest = sha256();
            long rawBytes;
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp,
                    StandardOpenOption.TRUNCATE_EXISTING), BUFFER_BYTES)) {
                rawBytes = rewrap(original, new DigestInputStream(raw, digest), out);
            }
            String rawSha = HexFormat.of().formatHex(digest.digest());
            verify(original, tmp, rawBytes, rawSha);
            long fileBytes = Files.size(tmp);
            dev.regshim.util.FileModes.applyOutputMode(tmp, original.file(), target);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
            return new Result(target, fileBytes, rawBytes, rawSha);
        } catch (IOException e) {
            throw new ContainerException(target + ": cannot write: " + dev.regshim.util.SafeFiles.reason(e), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the write already failed; that error is the one to report
                }
            }
        }
    }

    private static Codec writableCodec(SaveImage original) {
        Codec codec = original.codec().orElseThrow(() -> new ContainerException(original.file()
                + ": cannot write libvirt format sparse (mapped-ram) images"));
        if (!codec.supported()) {
            throw new ContainerException(original.file() + ": cannot write " + codec.toolName()
                    + "-compressed images: " + codec.unsupported().getMessage());
        }
        return codec;
    }

    private static void copyPrefix(SaveImage original, OutputStream out) throws IOException {
        long length = original.streamOffset();
        if (length == 0) {
            return;
        }
        try (FileChannel ch = FileChannel.open(original.file(), StandardOpenOption.READ)) {
            InputStream in = Channels.newInputStream(ch);
            byte[] copied = in.readNBytes((int) length);
            if (copied.length != length || !Arrays.equals(copied, original.prefix())) {
                throw new ContainerException(original.file() + ": the header and XML area changed on disk since the"
                        + " image was opened");
            }
            out.write(copied);
        }
    }

    private static long copyStream(InputStream raw, OutputStream out) throws IOException {
        byte[] buf = new byte[BUFFER_BYTES];
        int first = raw.readNBytes(buf, 0, StreamHeader.MAGIC_BYTES);
        if (!StreamHeader.startsWithMagic(Arrays.copyOf(buf, first))) {
            throw new ContainerException("refusing to wrap data that is not a QEMU migration stream (it starts with "
                    + SaveImage.hex(Arrays.copyOf(buf, first)) + ")");
        }
        out.write(buf, 0, first);
        long total = first;
        int n;
        while ((n = raw.read(buf)) > 0) {
            out.write(buf, 0, n);
            total += n;
        }
        return total;
    }

    private static void verify(SaveImage original, Path written, long rawBytes, String rawSha) throws IOException {
        SaveImage back = SaveImage.open(written, original.limits());
        if (back.kind() != original.kind() || !back.codec().equals(original.codec())
                || !Arrays.equals(back.prefix(), original.prefix())) {
            throw new ContainerException(written + ": verification failed: the container read back differs from "
                    + original.file() + "'s (" + back.describe() + ")");
        }
        MessageDigest digest = sha256();
        long n = 0;
        try (InputStream in = back.openStream()) {
            byte[] buf = new byte[BUFFER_BYTES];
            int r;
            while ((r = in.read(buf)) > 0) {
                digest.update(buf, 0, r);
                n += r;
            }
        }
        String sha = HexFormat.of().formatHex(digest.digest());
        if (n != rawBytes || !sha.equals(rawSha)) {
            throw new ContainerException(written + ": verification failed: the stream read back (" + n
                    + " bytes) differs from the " + rawBytes + " bytes written");
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JRE", e);
        }
    }

    /** Lets an encoder's close() finish its frame without closing the caller's stream (tests use it too). */
    static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
