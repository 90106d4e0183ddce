package dev.regshim.util;

import dev.regshim.RegshimException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a whole file so that it is either complete and verified or not there at all: the bytes go to a sibling
 * temporary file (created with the process umask, never tighter), are synced, read back and compared, and only then
 * renamed over the target. A failed or short write is an error naming the file and the OS reason.
 */
public final class SafeFiles {

    private SafeFiles() {
    }

    public static void write(Path target, byte[] content) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = dir.resolve("." + abs.getFileName() + ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                out.write(content);
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            byte[] back = Files.readAllBytes(tmp);
            if (!Arrays.equals(back, content)) {
                throw new RegshimException("cannot write " + target + ": read back " + back.length + " bytes that differ from the "
                        + content.length + " written");
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new RegshimException("cannot write " + target + ": " + reason(e));
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the temporary name is ours; if even deleting it fails the error above says why
            }
        }
    }

    /** The OS reason of an I/O error, one line, without Java's class names: "no such file or directory", ... */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException) {
            return "file exists";
        }
        if (e instanceof java.nio.file.NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof java.nio.file.DirectoryNotEmptyException) {
            return "directory not empty";
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return Text.oneLine(f.getReason(), 120);
        }
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName()
                : Text.oneLine(e.getMessage(), 120);
    }

    /** Deletes a tree, best effort (for cleanups, where the first error matters more than a leftover). */
    public static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
                @Override
                public java.nio.file.FileVisitResult visitFile(Path file,
                        java.nio.file.attribute.BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // a cleanup: nothing better to do than leave what could not be removed
        }
    }
}
