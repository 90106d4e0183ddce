package dev.regshim.stream;

/**
 * The QEMU live-migration stream ("QEVM" version 3), as QEMU 7.2, 10.x and 11.1 write it for aarch64 {@code virt}.
 * All integers are big-endian; a counted string is {@code u8 len, len bytes} (no NUL).
 *
 * <pre>
 * stream        := header  [configuration]  record*  EOF  [vmdesc]
 * header        := be32 MAGIC  be32 VERSION                                          {@link StreamHeader}
 * configuration := u8 0x07  be32 len  machine-type[len]  subsection*                 (no section id, no footer)
 * record        := START/FULL: u8 type  be32 section_id  u8 idlen idstr  be32 instance_id  be32 version_id
 *                              data footer                                           {@link SectionHeader}
 *                | PART/END:   u8 type  be32 section_id  data footer
 *                | COMMAND:    u8 0x08  be16 cmd  be16 len  data[len]  [PACKAGED: payload of be32 N bytes]
 *                                                                                     {@link VmCommand}
 * footer        := u8 0x7e  be32 section_id                                          {@link SectionFooter}
 * subsection    := u8 0x05  u8 namelen name  be32 version_id  fields  subsection*    {@link SubsectionHeader}
 *                                                                  (nested inside field data)
 * vmdesc        := u8 0x06  be32 len  json[len]        (QEMU reads and discards it)  {@link VmdescTrailer}
 * </pre>
 *
 * Device sections (FULL) carry no length: their end is only found by walking their fields, which is why the reader
 * needs either the vmdesc trailer (field sizes) or the known layout of the ARM {@code cpu} section.
 * RAM ({@code "ram"}, iterative START/PART/END) is a sequence of records, see {@link RamFlags}.
 * <p>
 * This class holds the numbers; each structure is read by the one class named next to it above.
 */
public final class WireFormat {

    public static final int MAGIC = 0x5145_564d;              // "QEVM"
    public static final int VERSION = 3;
    public static final int HEADER_BYTES = Integer.BYTES * 2;

    public static final int EOF = 0x00;
    public static final int SECTION_START = 0x01;
    public static final int SECTION_PART = 0x02;
    public static final int SECTION_END = 0x03;
    public static final int SECTION_FULL = 0x04;
    public static final int SUBSECTION = 0x05;
    public static final int VMDESCRIPTION = 0x06;
    public static final int CONFIGURATION = 0x07;
    public static final int COMMAND = 0x08;
    public static final int SECTION_FOOTER = 0x7e;

    /** Every record, footer, subsection and the trailer open with one type byte. */
    public static final int TYPE_BYTES = 1;
    /** {@code u8 type, be32 section_id}: the PART/END header and the fixed start of START/FULL. */
    public static final int SECTION_ID_BYTES = TYPE_BYTES + Integer.BYTES;
    /** START/FULL header without the idstr bytes: type, id, idlen, instance, version. */
    public static final int FULL_HEADER_FIXED_BYTES = SECTION_ID_BYTES + 1 + Integer.BYTES + Integer.BYTES;
    /** {@code u8 0x7e, be32 section_id}. */
    public static final int FOOTER_BYTES = TYPE_BYTES + Integer.BYTES;
    /** {@code u8 0x05, u8 namelen, name, be32 version}, without the name. */
    public static final int SUBSECTION_HEADER_FIXED_BYTES = TYPE_BYTES + 1 + Integer.BYTES;
    /** {@code u8 0x08, be16 cmd, be16 len}. */
    public static final int COMMAND_HEADER_BYTES = TYPE_BYTES + Short.BYTES + Short.BYTES;
    /** {@code u8 0x06, be32 len}. */
    public static final int VMDESC_HEADER_BYTES = TYPE_BYTES + Integer.BYTES;
    /** {@code u8 0x07, be32 len}: the configuration record before its machine type. */
    public static final int CONFIGURATION_HEADER_BYTES = TYPE_BYTES + Integer.BYTES;
    public static final int COUNTED_STRING_MAX = 255;

    /** ARM {@code target-page-bits} bounds: TARGET_PAGE_BITS_MIN 10 (1 KiB) up to 64 KiB pages. */
    public static final int MIN_PAGE_BITS = 10;
    public static final int MAX_PAGE_BITS = 16;
    /** Page size when the configuration omits target-page-bits (virt-2.6/2.7: the ARM legacy minimum). */
    public static final int LEGACY_PAGE_BITS = 10;
    /** Page size assumed for a stream without a configuration record. */
    public static final int DEFAULT_PAGE_BITS = 12;

    public static final String RAM_IDSTR = "ram";
    /** The version of the {@code ram} section ({@code ram_mig_init}). */
    public static final int RAM_VERSION = 4;

    private WireFormat() {
    }

    /** Human name of a top-level type byte, for messages. */
    public static String typeName(int type) {
        switch (type) {
            case EOF: return "EOF";
            case SECTION_START: return "START";
            case SECTION_PART: return "PART";
            case SECTION_END: return "END";
            case SECTION_FULL: return "FULL";
            case SUBSECTION: return "SUBSECTION";
            case VMDESCRIPTION: return "VMDESCRIPTION";
            case CONFIGURATION: return "CONFIGURATION";
            case COMMAND: return "COMMAND";
            case SECTION_FOOTER: return "FOOTER";
            default: return String.format("0x%02x", type);
        }
    }
}
