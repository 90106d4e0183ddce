package dev.regshim.stream;

import java.util.ArrayList;
import java.util.List;

/**
 * RAM record header: {@code be64 offset|flags}, the flags in the low {@code target-page-bits} bits.
 *
 * <pre>
 * record   := be64 offset|flags  [u8 len, block-idstr  unless CONTINUE]  payload
 * ZERO     : u8 fill (0)                       PAGE : page_size raw bytes
 * MEM_SIZE : offset = total bytes; then per block: u8 len, idstr, be64 used_length
 *            [be64 page_size  if postcopy-ram and a huge-page block] [be64 mr_addr  if x-ignore-shared]
 *            until the used lengths add up to the total
 * EOS      : no payload; ends this section's RAM data
 * </pre>
 */
public final class RamFlags {

    public static final int FULL = 0x01;
    public static final int ZERO = 0x02;
    public static final int MEM_SIZE = 0x04;
    public static final int PAGE = 0x08;
    public static final int EOS = 0x10;
    public static final int CONTINUE = 0x20;
    public static final int XBZRLE = 0x40;
    public static final int HOOK = 0x80;
    public static final int COMPRESS_PAGE = 0x100;
    public static final int MULTIFD_FLUSH = 0x200;

    /** The flags a default-capability stream uses; anything else is a capability we cannot decode. */
    public static final int SUPPORTED = ZERO | MEM_SIZE | PAGE | EOS | CONTINUE;

    public static final int RECORD_HEADER_BYTES = Long.BYTES;

    private RamFlags() {
    }

    /** Names the capability behind unsupported flag bits, for the error message. */
    public static String describeUnsupported(int flags) {
        List<String> what = new ArrayList<>();
        if ((flags & FULL) != 0) {
            what.add("FULL (obsolete pre-2009 format)");
        }
        if ((flags & XBZRLE) != 0) {
            what.add("XBZRLE (capability xbzrle)");
        }
        if ((flags & HOOK) != 0) {
            what.add("HOOK (RDMA migration)");
        }
        if ((flags & COMPRESS_PAGE) != 0) {
            what.add("COMPRESS_PAGE (capability compress)");
        }
        if ((flags & MULTIFD_FLUSH) != 0) {
            what.add("MULTIFD_FLUSH (capability multifd)");
        }
        int unknown = flags & ~(SUPPORTED | FULL | XBZRLE | HOOK | COMPRESS_PAGE | MULTIFD_FLUSH);
        if (unknown != 0) {
            what.add(String.format("unknown flags 0x%x", unknown));
        }
        return String.join(", ", what);
    }
}
