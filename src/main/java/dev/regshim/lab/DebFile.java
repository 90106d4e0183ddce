package dev.regshim.lab;

import dev.regshim.util.SafeFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Recognises a Debian package file (an ar archive, magic {@value #AR_MAGIC}) and names it by its content. */
final class DebFile {

    static final String AR_MAGIC = "!<arch>\n";

    private DebFile() {
    }

    static boolean looksLikeDeb(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(AR_MAGIC.length());
            return new String(head, StandardCharsets.US_ASCII).equals(AR_MAGIC);
        } catch (IOException e) {
            throw new LabException("cannot read " + file + ": " + SafeFiles.reason(e));
        }
    }

    /** The first 16 hex digits of the file's SHA-256. */
    static String hash(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest()).substring(0, 16);
        } catch (IOException e) {
            throw new LabException("cannot read " + file + ": " + SafeFiles.reason(e));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
