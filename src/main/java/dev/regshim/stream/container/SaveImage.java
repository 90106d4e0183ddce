package dev.regshim.stream.container;

import dev.regshim.stream.StreamHeader;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A file holding a QEMU migration stream, in one of three containers, recognised by its first bytes:
 * <ul>
 *   <li>{@link Kind#QEMU_STREAM}: the stream itself ({@code QEVM}, e.g. from {@code migrate "exec:cat > F"});</li>
 *   <li>{@link Kind#LIBVIRT_SAVE}: a {@code virsh save} image: {@link LibvirtHeader}, the XML area, then the
 *       stream raw or compressed as the header's {@link LibvirtFormat} says;</li>
 *   <li>{@link Kind#COMPRESSED_STREAM}: a stream compressed as a whole ({@code exec:gzip -c > F}, or any of
 *       gzip/bzip2/xz/zstd; lzop is recognised and refused).</li>
 * </ul>
 * Opening reads only the header and the XML area (bounded by {@link ContainerLimits}); {@link #openStream()}
 * streams the decompressed QEMU stream without ever holding it in memory. Every refusal is a one-line
 * {@link ContainerException} naming the file and the byte offset.
 */
public final class SaveImage {

    /** What wraps the stream. */
    public enum Kind {
        QEMU_STREAM, LIBVIRT_SAVE, COMPRESSED_STREAM;

        /**
         * The container whose magic starts {@code head} ({@link #SNIFF_BYTES} are enough for every kind), or null.
         * A recognised but unsupported codec (lzop) is still a {@link #COMPRESSED_STREAM}.
         */
        public static Kind sniff(byte[] head) {
            if (StreamHeader.startsWithMagic(head)) {
                return QEMU_STREAM;
            }
            if (LibvirtHeader.hasMagic(head)) {
                return LIBVIRT_SAVE;
            }
            return Codec.sniff(head).isPresent() ? COMPRESSED_STREAM : null;
        }
    }

    /** How errors name standard input, which has no file name. */
    static final String STDIN = "standard input";

    /** Leading bytes that tell every container apart (and hold a whole libvirt header). */
    static final int SNIFF_BYTES = Math.max(LibvirtHeader.LENGTH, Codec.MAGIC_BYTES);
    private static final int BUFFER_BYTES = 64 * 1024;
    private static final int SHOWN_BYTES = 8;

    private final Path file;
    private final long size;
    private final Kind kind;
    private final Codec codec;
    private final LibvirtHeader header;
    private final LibvirtFormat format;
    private final byte[] xmlArea;
    private final String domainXml;
    private final String cookieXml;
    private final ContainerLimits limits;

    private SaveImage(Path file, long size, Kind kind, Codec codec, LibvirtHeader header, LibvirtFormat format,
                      byte[] xmlArea, String domainXml, String cookieXml, ContainerLimits limits) {
        this.file = file;
        this.size = size;
        this.kind = kind;
        this.codec = codec;
        this.header = header;
        this.format = format;
        this.xmlArea = xmlArea;
        this.domainXml = domainXml;
        this.cookieXml = cookieXml;
        this.limits = limits;
    }

    public static SaveImage open(Path file) {
        return open(file, ContainerLimits.DEFAULT);
    }

    /** Recognises the container and reads its header and XML area; the stream is not read yet. */
    public static SaveImage open(Path file, ContainerLimits limits) {
        long size;
        byte[] head;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            size = ch.size();
            head = readAt(ch, 0, (int) Math.min(size, SNIFF_BYTES));
        } catch (NoSuchFileException e) {
            throw new ContainerException(file + ": no such file");
        } catch (IOException e) {
            throw new ContainerException(file + ": cannot read: " + dev.regshim.util.SafeFiles.reason(e), e);
        }
        if (size == 0) {
            throw new ContainerException(file + ": empty file, expected a QEMU migration stream or save image");
        }
        Kind kind = Kind.sniff(head);
        if (kind == Kind.QEMU_STREAM) {
            return new SaveImage(file, size, Kind.QEMU_STREAM, Codec.NONE, null, null, new byte[0], "", null, limits);
        }
        if (kind == Kind.LIBVIRT_SAVE) {
            return openLibvirt(file, size, head, limits);
        }
        if (kind == Kind.COMPRESSED_STREAM) {
            Codec codec = Codec.sniff(head).orElseThrow();
            if (!codec.supported()) {
                throw new ContainerException(file + ": " + codec.unsupported().getMessage());
            }
            return new SaveImage(file, size, Kind.COMPRESSED_STREAM, codec, null, null, new byte[0], "", null,
                    limits);
        }
        throw new ContainerException(file + ": not a QEMU migration stream, libvirt save image or compressed stream"
                + " (offset 0 starts with " + hex(head) + ")");
    }

    private static SaveImage openLibvirt(Path file, long size, byte[] head, ContainerLimits limits) {
        String where = file + ": libvirt save image";
        LibvirtHeader h;
        try {
            h = LibvirtHeader.parse(head);
        } catch (ContainerException e) {
            throw new ContainerException(where + ": " + e.getMessage());
        }
        if (h.partial()) {
            throw new ContainerException(where + " is incomplete (magic '" + LibvirtHeader.MAGIC_PARTIAL
                    + "' at offset 0): libvirt did not finish writing it, so the stream may be cut short");
        }
        if (h.version() == 0 || h.version() > LibvirtHeader.CURRENT_VERSION) {
            throw new ContainerException(where + ": unsupported version " + h.version() + " at offset "
                    + LibvirtHeader.VERSION_OFFSET + " (known: 1, 2)");
        }
        LibvirtFormat format = LibvirtFormat.fromCode(h.formatCode()).orElseThrow(() -> new ContainerException(
                where + ": unknown format " + h.formatCode() + " at offset " + LibvirtHeader.FORMAT_OFFSET
                        + " (known: 0 raw, 1 gzip, 2 bzip2, 3 xz, 4 lzop, 5 zstd, 6 sparse)"));
        if (h.dataLen() == 0) {
            throw new ContainerException(where + ": invalid data_len 0 at offset " + LibvirtHeader.DATA_LEN_OFFSET);
        }
        if (h.dataLen() > limits.maxXmlAreaBytes()) {
            throw new ContainerException(where + ": data_len " + h.dataLen() + " at offset "
                    + LibvirtHeader.DATA_LEN_OFFSET + " exceeds the limit of " + limits.maxXmlAreaBytes() + " bytes");
        }
        long xmlEnd = h.streamOffset();
        if (xmlEnd > size) {
            throw new ContainerException(where + " is truncated: data_len " + h.dataLen() + " at offset "
                    + LibvirtHeader.DATA_LEN_OFFSET + " puts the XML area's end at offset " + xmlEnd
                    + " but the file ends at offset " + size);
        }
        if (xmlEnd == size) {
            throw new ContainerException(where + " holds no QEMU stream: the file ends at offset " + size
                    + ", right after the XML area");
        }
        if (h.cookieOffset() >= h.dataLen()) {
            throw new ContainerException(where + ": cookieOffset " + h.cookieOffset() + " at offset "
                    + LibvirtHeader.COOKIE_OFFSET_OFFSET + " lies outside the " + h.dataLen() + "-byte XML area");
        }
        byte[] area;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            area = readAt(ch, LibvirtHeader.LENGTH, (int) h.dataLen());
        } catch (IOException e) {
            throw new ContainerException(file + ": cannot read the XML area at offset " + LibvirtHeader.LENGTH + ": "
                    + e.getMessage(), e);
        }
        int xmlLimit = h.cookieOffset() != 0 ? (int) h.cookieOffset() : area.length;
        String xml = nulTerminated(where, "domain XML", area, 0, xmlLimit);
        String cookie = h.cookieOffset() != 0
                ? nulTerminated(where, "cookie XML", area, (int) h.cookieOffset(), area.length) : null;
        // libvirt decompresses only version 2 images; version 1 streams are always raw.
        Codec codec = h.version() == LibvirtHeader.CURRENT_VERSION ? format.codec().orElse(null) : Codec.NONE;
        return new SaveImage(file, size, Kind.LIBVIRT_SAVE, codec, h, format, area, xml, cookie, limits);
    }

    public Path file() {
        return file;
    }

    public long size() {
        return size;
    }

    public Kind kind() {
        return kind;
    }

    /** How the stream part is compressed; empty for a libvirt "sparse" (mapped-ram) image. */
    public Optional<Codec> codec() {
        return Optional.ofNullable(codec);
    }

    public Optional<LibvirtHeader> libvirtHeader() {
        return Optional.ofNullable(header);
    }

    public Optional<LibvirtFormat> libvirtFormat() {
        return Optional.ofNullable(format);
    }

    /** The domain XML of a libvirt image, without its NUL; "" for other containers. */
    public String domainXml() {
        return domainXml;
    }

    /** libvirt's save cookie XML, when the image has one. */
    public Optional<String> cookieXml() {
        return Optional.ofNullable(cookieXml);
    }

    /** Where the (possibly compressed) QEMU stream starts: {@code 92 + data_len} for libvirt images, else 0. */
    public long streamOffset() {
        return header != null ? header.streamOffset() : 0;
    }

    /** The header and XML area exactly as stored (empty for bare and compressed streams). */
    public byte[] prefix() {
        if (header == null) {
            return new byte[0];
        }
        byte[] h = header.encode();
        byte[] out = Arrays.copyOf(h, h.length + xmlArea.length);
        System.arraycopy(xmlArea, 0, out, h.length, xmlArea.length);
        return out;
    }

    ContainerLimits limits() {
        return limits;
    }

    /**
     * The decompressed QEMU migration stream, starting with {@code QEVM}. Decoding errors surface from
     * {@code read} as {@link ContainerException}s naming the compressed offset.
     *
     * @throws ContainerException for lzop and sparse images, a codec that contradicts the data, or a
     *                            decompressed stream that is not a QEMU stream
     */
    public InputStream openStream() {
        if (codec == null) {
            throw new ContainerException(file + ": libvirt save image format " + LibvirtFormat.SPARSE.code()
                    + " (sparse, at offset " + LibvirtHeader.FORMAT_OFFSET + ") holds a mapped-ram stream whose RAM"
                    + " pages sit at file offsets rather than in sequence; such images are not supported yet");
        }
        if (!codec.supported()) {
            throw new ContainerException(file + ": " + codec.unsupported().getMessage());
        }
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
            ch.position(streamOffset());
            CountingInputStream counted = new CountingInputStream(Channels.newInputStream(ch), streamOffset());
            BufferedInputStream buffered = new BufferedInputStream(counted, BUFFER_BYTES);
            checkCodecMagic(buffered);
            InputStream decoder;
            try {
                decoder = codec.decoder(buffered, limits); // some decoders read a whole first block here
            } catch (IOException e) {
                throw DecodeErrors.translate(e, counted, file.toString(), codec);
            }
            InputStream decoded = new DecodeErrors(decoder, counted, file.toString(), codec);
            byte[] first = decoded.readNBytes(StreamHeader.MAGIC_BYTES);
            if (!StreamHeader.startsWithMagic(first)) {
                decoded.close();
                throw new ContainerException(file + ": the " + describeStreamPart() + " at offset " + streamOffset()
                        + " is not a QEMU migration stream (it starts with " + hex(first) + ", expected "
                        + hex(StreamHeader.magicBytes()) + " '" + StreamHeader.magicText() + "')"
                        + (LibvirtHeader.startsLikeMagic(first)
                        ? "; it looks like a compressed libvirt save image: decompress it first" : ""));
            }
            return new SequenceInputStream(new ByteArrayInputStream(first), decoded);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new ContainerException(file + ": cannot read the " + describeStreamPart() + " at offset "
                    + streamOffset() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    /**
     * {@code in} (at the start of {@code codec}'s data, e.g. standard input) decoded, with decoding errors as one-line
     * {@link ContainerException}s naming {@code source} and the offset in it.
     */
    static InputStream decoding(Codec codec, InputStream in, String source) throws IOException {
        CountingInputStream counted = new CountingInputStream(in, 0);
        try {
            return new DecodeErrors(codec.decoder(counted, ContainerLimits.DEFAULT), counted, source, codec);
        } catch (IOException e) {
            throw DecodeErrors.translate(e, counted, source, codec);
        }
    }

    /** One line for users: what the file is. */
    public String describe() {
        switch (kind) {
            case QEMU_STREAM:
                return "QEMU migration stream, " + size + " bytes";
            case COMPRESSED_STREAM:
                return codec.toolName() + "-compressed QEMU migration stream, " + size + " bytes";
            default:
                return "libvirt save image v" + header.version() + " (" + header.order() + "), format "
                        + format.libvirtName() + ", was_running=" + header.wasRunning() + ", XML area "
                        + header.dataLen() + " bytes, stream at offset " + streamOffset() + " ("
                        + (size - streamOffset()) + " bytes)";
        }
    }

    private String describeStreamPart() {
        return codec == Codec.NONE ? "stream" : codec.toolName() + "-compressed stream";
    }

    private void checkCodecMagic(BufferedInputStream in) throws IOException {
        if (codec == Codec.NONE) {
            return;
        }
        in.mark(Codec.MAGIC_BYTES);
        byte[] head = in.readNBytes(Codec.MAGIC_BYTES);
        in.reset();
        if (!codec.matches(head)) {
            throw new ContainerException(file + ": the header says format " + format.libvirtName() + " (offset "
                    + LibvirtHeader.FORMAT_OFFSET + ") but the data at offset " + streamOffset() + " starts with "
                    + hex(head) + ", which is not " + codec.toolName() + " data");
        }
    }

    private static String nulTerminated(String where, String what, byte[] area, int from, int to) {
        int nul = -1;
        for (int i = from; i < to; i++) {
            if (area[i] == 0) {
                nul = i;
                break;
            }
        }
        if (nul < 0) {
            throw new ContainerException(where + ": the " + what + " at offset " + (LibvirtHeader.LENGTH + from)
                    + " has no terminating NUL within its " + (to - from) + " bytes");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(area, from, nul - from)).toString();
        } catch (CharacterCodingException e) {
            throw new ContainerException(where + ": the " + what + " at offset " + (LibvirtHeader.LENGTH + from)
                    + " is not valid UTF-8");
        }
    }

    private static byte[] readAt(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            int n = ch.read(buf, position + buf.position());
            if (n < 0) {
                break;
            }
        }
        return Arrays.copyOf(buf.array(), buf.position());
    }

    static String hex(byte[] bytes) {
        byte[] shown = Arrays.copyOf(bytes, Math.min(bytes.length, SHOWN_BYTES));
        return shown.length == 0 ? "nothing" : HexFormat.ofDelimiter(" ").formatHex(shown);
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already failing; the original error is the one to report
            }
        }
    }

    /** Counts bytes read from the file so that decoding errors can name a file offset. */
    static final class CountingInputStream extends FilterInputStream {
        private long position;

        CountingInputStream(InputStream in, long start) {
            super(in);
            this.position = start;
        }

        long position() {
            return position;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                position++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                position += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            position += s;
            return s;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }

    /**
     * Turns a decoder's IOException into a one-line ContainerException with the file offset reached. Every method that
     * reaches the decoder is covered ({@code available} and {@code skip} too: some decoders rethrow a stored error
     * from them).
     */
    static final class DecodeErrors extends FilterInputStream {
        private final CountingInputStream counted;
        private final String source;
        private final Codec codec;

        DecodeErrors(InputStream decoder, CountingInputStream counted, String source, Codec codec) {
            super(decoder);
            this.counted = counted;
            this.source = source;
            this.codec = codec;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                throw translate(e, counted, source, codec);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                throw translate(e, counted, source, codec);
            }
        }

        @Override
        public int available() throws IOException {
            try {
                return super.available();
            } catch (IOException e) {
                throw translate(e, counted, source, codec);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return super.skip(n);
            } catch (IOException e) {
                throw translate(e, counted, source, codec);
            }
        }

        static ContainerException translate(IOException e, CountingInputStream counted, String source, Codec codec) {
            String what = codec == Codec.NONE ? "stream" : codec.toolName() + " data";
            String why = e instanceof java.io.EOFException || e.getMessage() == null || e.getMessage().isBlank()
                    ? "unexpected end of data (truncated?)" : e.getMessage();
            return new ContainerException(source + ": corrupt or truncated " + what + " near "
                    + (source.equals(STDIN) ? "input" : "file") + " offset " + counted.position() + ": " + why, e);
        }
    }
}
