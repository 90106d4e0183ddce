package dev.regshim.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A writer of the cpio "newc" format, the one the Linux kernel unpacks as an initramfs.
 *
 * <p>Each entry is a 110-byte ASCII header, the name, then the data. The header is the magic {@value #MAGIC} followed
 * by thirteen 8-digit hex fields: inode, mode, uid, gid, nlink, mtime, file size, device major and minor, rdev major
 * and minor, name size (with its NUL) and a check field (0). Name and data are each padded with NULs to a multiple of
 * {@value #ALIGN} bytes. The archive ends with an entry named {@value #TRAILER}.
 *
 * <p>Entries are written as they are added; file data is streamed, never held. Timestamps are 0, so the same inputs
 * give the same bytes.
 */
final class Cpio implements AutoCloseable {

    static final String MAGIC = "070701";
    static final String TRAILER = "TRAILER!!!";
    static final int ALIGN = 4;
    static final int HEADER_FIELDS = 13;
    static final int HEADER_BYTES = MAGIC.length() + HEADER_FIELDS * 8;

    static final int S_IFDIR = 0040000;
    static final int S_IFREG = 0100000;
    static final int S_IFLNK = 0120000;
    static final int S_IFCHR = 0020000;

    private final OutputStream out;
    private long written;
    private int nextInode = 1;
    private boolean finished;

    Cpio(OutputStream out) {
        this.out = out;
    }

    void directory(String name) throws IOException {
        header(name, S_IFDIR | 0755, 2, 0, 0, 0);
        pad();
    }

    void file(String name, int permissions, byte[] data) throws IOException {
        header(name, S_IFREG | permissions, 1, data.length, 0, 0);
        out.write(data);
        written += data.length;
        pad();
    }

    void file(String name, int permissions, Path source) throws IOException {
        long size = Files.size(source);
        header(name, S_IFREG | permissions, 1, size, 0, 0);
        long copied;
        try (InputStream in = Files.newInputStream(source)) {
            copied = in.transferTo(out);
        }
        if (copied != size) {
            throw new IOException(source + " changed size while it was archived (" + size + " -> " + copied + " bytes)");
        }
        written += copied;
        pad();
    }

    void symlink(String name, String target) throws IOException {
        byte[] t = target.getBytes(StandardCharsets.UTF_8);
        header(name, S_IFLNK | 0777, 1, t.length, 0, 0);
        out.write(t);
        written += t.length;
        pad();
    }

    void charDevice(String name, int permissions, int major, int minor) throws IOException {
        header(name, S_IFCHR | permissions, 1, 0, major, minor);
        pad();
    }

    /** Writes the trailer; the underlying stream stays open. */
    void finish() throws IOException {
        if (!finished) {
            header(TRAILER, 0, 1, 0, 0, 0);
            pad();
            finished = true;
        }
        out.flush();
    }

    @Override
    public void close() throws IOException {
        finish();
    }

    private void header(String name, int mode, int nlink, long size, int rdevMajor, int rdevMinor) throws IOException {
        if (name.isEmpty() || name.startsWith("/") || name.contains("\0")) {
            throw new IllegalArgumentException("cpio entry name must be relative and non-empty: '" + name + "'");
        }
        if (size > 0xffff_ffffL) {
            throw new IOException("cpio newc cannot hold " + name + " (" + size + " bytes, more than 4 GiB)");
        }
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder(HEADER_BYTES).append(MAGIC);
        long[] fields = {name.equals(TRAILER) ? 0 : nextInode++, mode, 0, 0, nlink, 0, size, 0, 0, rdevMajor, rdevMinor,
                n.length + 1L, 0};
        for (long f : fields) {
            h.append(String.format("%08x", f));
        }
        byte[] hb = h.toString().getBytes(StandardCharsets.US_ASCII);
        out.write(hb);
        out.write(n);
        out.write(0);
        written += hb.length + n.length + 1;
        pad();
    }

    private void pad() throws IOException {
        while (written % ALIGN != 0) {
            out.write(0);
            written++;
        }
    }
}
