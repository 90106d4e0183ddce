package dev.regshim.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Assembles and links the bare-metal guest programs under {@code src/test/guest/} with binutils for aarch64, into
 * {@code target/guest/NAME-HASH.elf}. HASH covers the source and the tool flags, so an unchanged program is built
 * once and a changed one never picks up a stale ELF. Needs {@code aarch64-linux-gnu-as} and {@code -ld} (package
 * binutils-aarch64-linux-gnu): skipped without them, failed in CI.
 */
public final class GuestPrograms {

    /** QEMU virt's RAM starts at 0x40000000; an ELF linked here is loaded and entered as-is by {@code -kernel}. */
    public static final String LINK_ADDRESS = "0x40080000";
    public static final String AS = "aarch64-linux-gnu-as";
    public static final String LD = "aarch64-linux-gnu-ld";
    private static final List<String> LD_FLAGS = List.of("-N", "-Ttext=" + LINK_ADDRESS, "-e", "_start");
    private static final long TOOL_TIMEOUT_SECONDS = 60;
    private static final int HASH_HEX_CHARS = 16;

    private GuestPrograms() {
    }

    /** The repository checkout (Maven's basedir when run by Surefire). */
    public static Path projectDir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    }

    public static Path source(String name) {
        Path test = projectDir().resolve("src/test/guest").resolve(name + ".S");
        return java.nio.file.Files.exists(test) ? test : projectDir().resolve("src/main/lab").resolve(name + ".S");
    }

    /** The linked ELF for {@code src/test/guest/NAME.S}, built if needed. */
    public static synchronized Path build(String name) {
        Path as = QemuTestSupport.requireTool(AS);
        Path ld = QemuTestSupport.requireTool(LD);
        Path src = source(name);
        try {
            byte[] text = Files.readAllBytes(src);
            Path outDir = projectDir().resolve("target/guest");
            Files.createDirectories(outDir);
            Path elf = outDir.resolve(name + "-" + hash(text) + ".elf");
            if (Files.isRegularFile(elf)) {
                return elf;
            }
            Path work = Files.createTempDirectory(outDir, name + "-build-");
            Path obj = work.resolve(name + ".o");
            Path tmpElf = work.resolve(name + ".elf");
            run(List.of(as.toString(), "-o", obj.toString(), src.toString()));
            List<String> link = new ArrayList<>(List.of(ld.toString()));
            link.addAll(LD_FLAGS);
            link.addAll(List.of("-o", tmpElf.toString(), obj.toString()));
            run(link);
            Files.move(tmpElf, elf, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.deleteIfExists(obj);
            Files.deleteIfExists(work);
            return elf;
        } catch (IOException e) {
            throw new IllegalStateException("cannot build guest program " + src + ": " + e.getMessage(), e);
        }
    }

    private static String hash(byte[] source) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(source);
            md.update(String.join(" ", LD_FLAGS).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest()).substring(0, HASH_HEX_CHARS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readNBytes(64 * 1024);
        try {
            if (!p.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): "
                    + new String(out, StandardCharsets.UTF_8).strip());
        }
    }
}
