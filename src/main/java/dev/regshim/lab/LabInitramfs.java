package dev.regshim.lab;

import dev.regshim.util.SafeFiles;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.tukaani.xz.XZInputStream;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The initramfs of a lab host, in two concatenated cpio archives (the kernel unpacks one after the other): a base
 * archive per QEMU series, cached ({@code lab/initramfs-SERIES-HASH.cpio}: lab-init.sh as {@code /init}, busybox, the
 * arm64 QEMU tree under {@code /lab/qemu}, the counter guest), and a small one per boot with what differs (kernel
 * modules for the network, an incoming stream).
 */
final class LabInitramfs {

    private LabInitramfs() {
    }

    /** The base archive for a userland, built if needed. */
    static Path base(LabUserland u, Path counterElf) {
        byte[] init = LabResources.read(LabResources.LAB_INIT);
        String key = u.series() + "|" + u.version() + "|" + LabResources.hash(init) + "|" + counterElf.getFileName();
        Path file = LabResources.cacheDir().resolve("lab").resolve("initramfs-" + u.series() + "-"
                + LabResources.hash(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + ".cpio");
        if (Files.isRegularFile(file)) {
            return file;
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), "initramfs-", ".tmp");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20); Cpio cpio = new Cpio(out)) {
                for (String d : List.of("dev", "proc", "sys", "tmp", "lab")) {
                    cpio.directory(d);
                }
                cpio.charDevice("dev/console", 0600, 5, 1);
                cpio.file("init", 0755, init);
                cpio.file("lab/busybox", 0755, u.busybox());
                cpio.file("lab/counter.elf", 0644, counterElf);
                tree(cpio, u.dir(), "lab/qemu");
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new LabException("cannot build the lab initramfs in " + file.getParent() + ": " + SafeFiles.reason(e));
        }
    }

    /**
     * The initramfs of one boot at {@code target}: the base archive followed by one holding {@code files} (path in
     * the initramfs to content on disk) and the modules (decompressed: busybox's insmod takes plain .ko files).
     */
    static void write(Path target, Path base, Map<String, Path> files, List<Path> modules) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(target), 1 << 20)) {
            Files.copy(base, out);
            Cpio cpio = new Cpio(out);
            cpio.directory("lab/modules");
            int n = 0;
            for (Path m : modules) {
                cpio.file(String.format("lab/modules/%02d-%s", n++, moduleName(m)), 0644, decompressed(m));
            }
            for (Map.Entry<String, Path> e : files.entrySet()) {
                cpio.file(e.getKey(), 0644, e.getValue());
            }
            cpio.finish();
        }
    }

    private static String moduleName(Path m) {
        String n = m.getFileName().toString();
        int ko = n.indexOf(".ko");
        return (ko > 0 ? n.substring(0, ko) : n) + ".ko";
    }

    private static byte[] decompressed(Path module) throws IOException {
        String n = module.getFileName().toString();
        try (InputStream raw = Files.newInputStream(module)) {
            if (n.endsWith(".xz")) {
                return new XZInputStream(raw).readAllBytes();
            }
            if (n.endsWith(".zst")) {
                return new ZstdCompressorInputStream(raw).readAllBytes();
            }
            return raw.readAllBytes();
        }
    }

    /** Every file, directory and symlink under {@code root}, at {@code prefix} in the archive, modes kept. */
    private static void tree(Cpio cpio, Path root, String prefix) throws IOException {
        List<IOException> failed = new ArrayList<>();
        cpio.directory(prefix);
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(root)) {
                    cpio.directory(prefix + "/" + root.relativize(dir));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String name = prefix + "/" + root.relativize(file);
                if (attrs.isSymbolicLink()) {
                    cpio.symlink(name, Files.readSymbolicLink(file).toString());
                } else if (attrs.isRegularFile()) {
                    cpio.file(name, mode(file), file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        if (!failed.isEmpty()) {
            throw failed.get(0);
        }
    }

    private static int mode(Path file) throws IOException {
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
        return p.contains(PosixFilePermission.OWNER_EXECUTE) ? 0755 : 0644;
    }
}
