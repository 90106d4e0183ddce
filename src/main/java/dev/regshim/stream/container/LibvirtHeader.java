package dev.regshim.stream.container;

import dev.regshim.stream.StreamHeader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The fixed header of a libvirt {@code virsh save} image (libvirt {@code virQEMUSaveHeader}).
 *
 * <pre>
 * offset  size  field
 *  0      16    magic         "LibvirtQemudSave" ("LibvirtQemudPart" while libvirt is still writing the image)
 * 16       4    version       2 (1: older images whose stream is always uncompressed)
 * 20       4    data_len      length of the XML area that follows the header
 * 24       4    was_running   1: libvirt resumes the domain after restoring it
 * 28       4    format        {@link LibvirtFormat} code (was "compressed")
 * 32       4    cookieOffset  offset of the cookie XML within the XML area; 0 = no cookie
 * 36      56    unused[14]    zero
 * 92            XML area: domain XML, NUL; [cookie XML, NUL]; zero padding (libvirt leaves 64 KiB)
 * 92+data_len   the QEMU migration stream, stored as {@code format} says
 * </pre>
 * The integers are in the saving host's byte order (little-endian on x86-64 and arm64); like libvirt, a reader
 * byte-swaps the header when {@code version} is larger than any known version and the swapped one is not (an
 * unknown version is then reported as stored). {@link #encode()} writes the same
 * byte order back, so {@code parse(b).encode()} equals {@code b}.
 */
public record LibvirtHeader(boolean partial, ByteOrder order, long version, long dataLen, long wasRunning,
                            long formatCode, long cookieOffset, int[] unused) {

    public static final String MAGIC_SAVE = "LibvirtQemudSave";
    public static final String MAGIC_PARTIAL = "LibvirtQemudPart";
    public static final int MAGIC_OFFSET = 0;
    public static final int MAGIC_LENGTH = 16;
    /** As many bytes as a QEMU stream's magic. */
    private static final int MAGIC_PREFIX_BYTES = StreamHeader.MAGIC_BYTES;
    public static final int VERSION_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
    public static final int DATA_LEN_OFFSET = VERSION_OFFSET + 4;
    public static final int WAS_RUNNING_OFFSET = DATA_LEN_OFFSET + 4;
    public static final int FORMAT_OFFSET = WAS_RUNNING_OFFSET + 4;
    public static final int COOKIE_OFFSET_OFFSET = FORMAT_OFFSET + 4;
    public static final int UNUSED_OFFSET = COOKIE_OFFSET_OFFSET + 4;
    public static final int UNUSED_COUNT = 14;
    public static final int LENGTH = UNUSED_OFFSET + 4 * UNUSED_COUNT;
    /** The only version whose stream may be compressed; libvirt refuses anything newer. */
    public static final int CURRENT_VERSION = 2;

    public LibvirtHeader {
        unused = unused.clone();
        if (unused.length != UNUSED_COUNT) {
            throw new IllegalArgumentException("unused must have " + UNUSED_COUNT + " words");
        }
    }

    /** True when {@code head} starts with either libvirt magic. */
    public static boolean hasMagic(byte[] head) {
        return startsWith(head, MAGIC_SAVE) || startsWith(head, MAGIC_PARTIAL);
    }

    /**
     * True when the {@value #MAGIC_PREFIX_BYTES} bytes of a magic's length that a stream reader looks at begin like a
     * libvirt magic ("Libv"): a decompressed "stream" that starts so is an image that was compressed as a whole.
     */
    static boolean startsLikeMagic(byte[] head) {
        return startsWith(head, MAGIC_SAVE.substring(0, MAGIC_PREFIX_BYTES));
    }

    /**
     * Decodes the 92 header bytes. Only the layout is decoded here; {@link SaveImage} checks the values.
     *
     * @throws ContainerException when the bytes do not start with a libvirt magic or are too short
     */
    public static LibvirtHeader parse(byte[] bytes) {
        if (!hasMagic(bytes)) {
            throw new ContainerException("no libvirt save image magic at offset 0");
        }
        if (bytes.length < LENGTH) {
            throw new ContainerException("libvirt save image header truncated at offset " + bytes.length
                    + " (the header is " + LENGTH + " bytes)");
        }
        boolean partial = startsWith(bytes, MAGIC_PARTIAL);
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        if (u32(bytes, VERSION_OFFSET, order) > CURRENT_VERSION
                && u32(bytes, VERSION_OFFSET, ByteOrder.BIG_ENDIAN) <= CURRENT_VERSION) {
            order = ByteOrder.BIG_ENDIAN; // written on a host of the other byte order
        }
        int[] unused = new int[UNUSED_COUNT];
        ByteBuffer b = ByteBuffer.wrap(bytes, UNUSED_OFFSET, 4 * UNUSED_COUNT).order(order);
        for (int i = 0; i < UNUSED_COUNT; i++) {
            unused[i] = b.getInt();
        }
        return new LibvirtHeader(partial, order, u32(bytes, VERSION_OFFSET, order), u32(bytes, DATA_LEN_OFFSET, order),
                u32(bytes, WAS_RUNNING_OFFSET, order), u32(bytes, FORMAT_OFFSET, order),
                u32(bytes, COOKIE_OFFSET_OFFSET, order), unused);
    }

    /** The 92 header bytes, in this header's byte order. */
    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(LENGTH).order(order);
        b.put((partial ? MAGIC_PARTIAL : MAGIC_SAVE).getBytes(StandardCharsets.US_ASCII));
        b.putInt((int) version).putInt((int) dataLen).putInt((int) wasRunning).putInt((int) formatCode)
                .putInt((int) cookieOffset);
        for (int u : unused) {
            b.putInt(u);
        }
        return b.array();
    }

    /** A fresh header as libvirt writes it (little-endian, version 2, unused zero). */
    public static LibvirtHeader of(long dataLen, boolean wasRunning, LibvirtFormat format, long cookieOffset) {
        return new LibvirtHeader(false, ByteOrder.LITTLE_ENDIAN, CURRENT_VERSION, dataLen, wasRunning ? 1 : 0,
                format.code(), cookieOffset, new int[UNUSED_COUNT]);
    }

    /** Where the QEMU stream starts in the image. */
    public long streamOffset() {
        return LENGTH + dataLen;
    }

    public boolean wasRunningFlag() {
        return wasRunning != 0;
    }

    @Override
    public int[] unused() {
        return unused.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LibvirtHeader h && Arrays.equals(encode(), h.encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
        return "LibvirtHeader[" + (partial ? MAGIC_PARTIAL : MAGIC_SAVE) + ", " + order + ", version=" + version
                + ", data_len=" + dataLen + ", was_running=" + wasRunning + ", format=" + formatCode
                + ", cookieOffset=" + cookieOffset + "]";
    }

    private static long u32(byte[] bytes, int offset, ByteOrder order) {
        return Integer.toUnsignedLong(ByteBuffer.wrap(bytes, offset, 4).order(order).getInt());
    }

    private static boolean startsWith(byte[] head, String magic) {
        byte[] m = magic.getBytes(StandardCharsets.US_ASCII);
        return head.length >= m.length && Arrays.equals(head, 0, m.length, m, 0, m.length);
    }
}
