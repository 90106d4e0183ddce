package dev.regshim.lab;

import dev.regshim.util.SafeFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Recognises what QEMU can boot as an arm64 kernel ({@code -kernel}): the arm64 boot executable Image, whose 64-byte
 * header carries the magic {@code "ARM\x64"} at byte {@value #ARM64_MAGIC_OFFSET}; the same Image gzip-compressed; or
 * an EFI zboot image ({@code "MZ"} then {@code "zimg"} at byte {@value #ZBOOT_MAGIC_OFFSET}).
 */
public final class KernelImage {

    static final int ARM64_MAGIC_OFFSET = 0x38;
    static final byte[] ARM64_MAGIC = {'A', 'R', 'M', 0x64};
    static final int ZBOOT_MAGIC_OFFSET = 4;
    static final byte[] ZBOOT_MAGIC = {'z', 'i', 'm', 'g'};
    static final int HEADER_BYTES = 64;

    /** What kind of kernel file it is. */
    public enum Kind {
        IMAGE("arm64 Image"), GZIP_IMAGE("gzip-compressed arm64 Image"), EFI_ZBOOT("EFI zboot image");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private KernelImage() {
    }

    /** The kind of {@code file}, or a {@link LabException} naming what it is not. */
    public static Kind check(Path file) {
        byte[] head = new byte[HEADER_BYTES];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new LabException("cannot read kernel " + file + ": " + SafeFiles.reason(e));
        }
        if (n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return Kind.GZIP_IMAGE;
        }
        if (n == HEADER_BYTES && at(head, ARM64_MAGIC_OFFSET, ARM64_MAGIC)) {
            return Kind.IMAGE;
        }
        if (n >= ZBOOT_MAGIC_OFFSET + ZBOOT_MAGIC.length && head[0] == 'M' && head[1] == 'Z'
                && at(head, ZBOOT_MAGIC_OFFSET, ZBOOT_MAGIC)) {
            return Kind.EFI_ZBOOT;
        }
        throw new LabException(file + ": not an arm64 kernel (no arm64 Image magic \"ARM\\x64\" at byte "
                + ARM64_MAGIC_OFFSET + ", not gzip, not EFI zboot)");
    }

    private static boolean at(byte[] b, int offset, byte[] magic) {
        for (int i = 0; i < magic.length; i++) {
            if (b[offset + i] != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
