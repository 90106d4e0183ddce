package dev.regshim.stream.container;

import java.util.Optional;

/**
 * The {@code format} (formerly {@code compressed}) field of a libvirt save image header: how the QEMU stream after
 * the XML area is stored. The numbers are on-disk ABI (libvirt {@code virQEMUSaveFormat}).
 */
public enum LibvirtFormat {
    RAW(0, Codec.NONE),
    GZIP(1, Codec.GZIP),
    BZIP2(2, Codec.BZIP2),
    XZ(3, Codec.XZ),
    LZOP(4, Codec.LZOP),
    ZSTD(5, Codec.ZSTD),
    /**
     * Newer libvirt: QEMU writes a mapped-ram stream ({@code file:} migration with the {@code mapped-ram} capability)
     * straight into the image; RAM pages sit at seek offsets and the stream is not sequential.
     */
    SPARSE(6, null);

    private final int code;
    private final Codec codec;

    LibvirtFormat(int code, Codec codec) {
        this.code = code;
        this.codec = codec;
    }

    public int code() {
        return code;
    }

    /** The codec of the stream part; empty for {@link #SPARSE}. */
    public Optional<Codec> codec() {
        return Optional.ofNullable(codec);
    }

    /** libvirt's name: "raw", "gzip", "bzip2", "xz", "lzop", "zstd", "sparse". */
    public String libvirtName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Optional<LibvirtFormat> fromCode(long code) {
        for (LibvirtFormat f : values()) {
            if (f.code == code) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
