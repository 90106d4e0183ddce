package dev.regshim.lab;

import dev.regshim.util.SafeFiles;
import dev.regshim.qemu.QemuBinary;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * The files the lab ships inside the jar ({@code get-kernel.sh}, the probe's C source) and what it builds from them,
 * kept in regshim's cache directory under {@code lab/}, each under a name that carries its content hash (so an
 * upgraded regshim never runs a stale copy). Everything is written to a temporary name and renamed into place.
 */
final class LabResources {

    static final String RESOURCE_DIR = "/dev/regshim/lab/";
    static final String KERNEL_SCRIPT = "get-kernel.sh";
    static final String QEMU_SCRIPT = "get-qemu.sh";
    static final String LAB_INIT = "lab-init.sh";
    static final String PROBE_SOURCE = "kvm-probe.c";
    static final String CROSS_COMPILER = "aarch64-linux-gnu-gcc";
    static final Duration COMPILE_TIMEOUT = Duration.ofMinutes(2);

    private LabResources() {
    }

    static Path cacheDir() {
        return QemuBinary.cacheDir();
    }

    /** The kernel script, extracted to the cache. */
    static Path kernelScript() {
        return extract(KERNEL_SCRIPT);
    }

    /** The QEMU script ({@code get-qemu.sh}), extracted to the cache. */
    static Path qemuScript() {
        return extract(QEMU_SCRIPT);
    }

    /** The probe, a static aarch64 program built once per source version with the cross compiler. */
    static Path probe(Consumer<String> progress) {
        byte[] source = read(PROBE_SOURCE);
        Path dir = cacheDir().resolve("lab").resolve("probe-" + hash(source));
        Path binary = dir.resolve("kvm-probe");
        if (Files.isRegularFile(binary)) {
            return binary;
        }
        Path compiler = onPath(CROSS_COMPILER).orElseThrow(() -> new LabException(
                "building the KVM probe needs " + CROSS_COMPILER + " (Debian packages gcc-aarch64-linux-gnu and "
                        + "libc6-dev-arm64-cross)"));
        progress.accept("building the KVM probe with " + compiler);
        try {
            Files.createDirectories(dir);
            Path src = dir.resolve(PROBE_SOURCE);
            Files.write(src, source);
            Path tmp = Files.createTempFile(dir, "kvm-probe", ".tmp");
            List<String> errors = new ArrayList<>();
            List<String> cmd = List.of(compiler.toString(), "-static", "-Os", "-Wall", "-o", tmp.toString(), src.toString());
            try (ChildProcess cc = ChildProcess.start("cross-compiler", cmd, dir, errors::add, errors::add)) {
                java.util.OptionalInt status = cc.await(COMPILE_TIMEOUT);
                if (status.isEmpty() || status.getAsInt() != 0) {
                    Files.deleteIfExists(tmp);
                    throw new LabException("building the KVM probe failed: "
                            + (errors.isEmpty() ? "status " + status : errors.get(errors.size() - 1)));
                }
            }
            Files.move(tmp, binary, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return binary;
        } catch (IOException e) {
            throw new LabException("cannot build the KVM probe in " + dir + ": " + SafeFiles.reason(e));
        }
    }

    private static Path extract(String name) {
        byte[] content = read(name);
        Path dir = cacheDir().resolve("lab");
        Path target = dir.resolve(hash(content) + "-" + name);
        if (Files.isRegularFile(target)) {
            return target;
        }
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, name, ".tmp");
            Files.write(tmp, content);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new LabException("cannot write " + target + ": " + SafeFiles.reason(e));
        }
    }

    static byte[] read(String name) {
        try (InputStream in = LabResources.class.getResourceAsStream(RESOURCE_DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE_DIR + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + name, e);
        }
    }

    static String hash(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static java.util.Optional<Path> onPath(String name) {
        return dev.regshim.util.Executables.onPath(name);
    }
}
