package dev.regshim.qemu;

import dev.regshim.release.QemuVersion;

import java.nio.file.Path;

/**
 * Migration URIs for QEMU's {@code migrate} and {@code migrate-incoming}. QEMU runs {@code exec:} URIs with
 * {@code /bin/sh -c}, so file names are single-quoted for the shell here.
 */
public final class MigrationUris {

    private MigrationUris() {
    }

    /** {@code exec:cat > 'file'}: save to a file on any QEMU (7.2 has no {@code file:} URI). */
    public static String execWriteFile(Path file) {
        return "exec:cat > " + shellQuote(file.toAbsolutePath().toString());
    }

    /** {@code exec:cat 'file'}: load from a file on any QEMU. */
    public static String execReadFile(Path file) {
        return "exec:cat " + shellQuote(file.toAbsolutePath().toString());
    }

    /**
     * {@code file:path} (QEMU 8.2+). QEMU splits this URI's options at commas, so a path with a comma cannot be
     * expressed; callers fall back to {@link #execWriteFile}/{@link #execReadFile} then.
     */
    public static String file(Path file) {
        String p = file.toAbsolutePath().toString();
        if (!fileUriCanName(file)) {
            throw new QemuException("a file: migration URI cannot name a path containing ',': " + p);
        }
        return "file:" + p;
    }

    static boolean fileUriCanName(Path file) {
        return file.toAbsolutePath().toString().indexOf(',') < 0;
    }

    /** The URI that writes {@code file} on this QEMU: {@code file:} where available, else {@code exec:cat >}. */
    public static String writeFile(QemuVersion version, Path file) {
        return version.hasFileMigrationUri() && fileUriCanName(file) ? file(file) : execWriteFile(file);
    }

    /** The URI that reads {@code file} on this QEMU: {@code file:} where available, else {@code exec:cat}. */
    public static String readFile(QemuVersion version, Path file) {
        return version.hasFileMigrationUri() && fileUriCanName(file) ? file(file) : execReadFile(file);
    }

    /** {@code tcp:host:port}; port 0 on {@code migrate-incoming} lets QEMU choose (see QemuProcess#incomingPort). */
    public static String tcp(String host, int port) {
        return "tcp:" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** Quotes {@code s} as one POSIX shell word: {@code 'a'\''b'} for {@code a'b}. */
    public static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
