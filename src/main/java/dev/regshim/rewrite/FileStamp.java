package dev.regshim.rewrite;

import dev.regshim.RegshimException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/** A file's identity, size and modification time: if any changes, the file was replaced or written meanwhile. */
record FileStamp(Object fileKey, long size, long modifiedNanos) {

    static FileStamp of(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return new FileStamp(a.fileKey(), a.size(), a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS));
        } catch (IOException e) {
            throw new RegshimException("cannot read " + p + ": " + dev.regshim.util.SafeFiles.reason(e), e);
        }
    }

    @Override
    public String toString() {
        return String.format("%,d bytes, same modification time", size) + (fileKey == null ? "" : " and file identity");
    }
}
