package dev.regshim.lab;

import dev.regshim.util.SafeFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * Bare-metal guest programs for QEMU {@code -M virt} (aarch64), assembled and linked with binutils for aarch64 into
 * regshim's cache, once per source version ({@code lab/guest-NAME-HASH.elf}, HASH over the source and the link
 * flags). QEMU loads the ELF at its link address in RAM and enters it with the MMU off.
 */
public final class GuestProgram {

    /** QEMU virt's RAM starts at 0x40000000; an ELF linked here is loaded and entered as-is by {@code -kernel}. */
    public static final String LINK_ADDRESS = "0x40080000";
    public static final String AS = "aarch64-linux-gnu-as";
    public static final String LD = "aarch64-linux-gnu-ld";
    static final List<String> LD_FLAGS = List.of("-N", "-Ttext=" + LINK_ADDRESS, "-e", "_start");
    /** The counter guest regshim ships ({@code counter.S}): see {@link CounterLog} for what it prints. */
    public static final String COUNTER = "counter";
    static final Duration TOOL_TIMEOUT = Duration.ofMinutes(1);

    private GuestProgram() {
    }

    /** The counter guest, built if needed. */
    public static Path counter(Consumer<String> progress) {
        return build(COUNTER, LabResources.read(COUNTER + ".S"), progress);
    }

    /** The ELF of a program with this assembly source, built if needed. */
    public static synchronized Path build(String name, byte[] source, Consumer<String> progress) {
        byte[] key = (new String(source, StandardCharsets.UTF_8) + String.join(" ", LD_FLAGS)).getBytes(StandardCharsets.UTF_8);
        Path dir = LabResources.cacheDir().resolve("lab");
        Path elf = dir.resolve("guest-" + name + "-" + LabResources.hash(key) + ".elf");
        if (Files.isRegularFile(elf)) {
            return elf;
        }
        Path as = tool(AS);
        Path ld = tool(LD);
        progress.accept("assembling the " + name + " guest with " + as);
        Path work = null;
        try {
            Files.createDirectories(dir);
            work = Files.createTempDirectory(dir, name + "-build-");
            Path src = work.resolve(name + ".S");
            Files.write(src, source);
            Path obj = work.resolve(name + ".o");
            Path out = work.resolve(name + ".elf");
            run(List.of(as.toString(), "-o", obj.toString(), src.toString()), work);
            List<String> link = new ArrayList<>(List.of(ld.toString()));
            link.addAll(LD_FLAGS);
            link.addAll(List.of("-o", out.toString(), obj.toString()));
            run(link, work);
            Files.move(out, elf, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return elf;
        } catch (IOException e) {
            throw new LabException("cannot build the " + name + " guest in " + dir + ": " + SafeFiles.reason(e));
        } finally {
            SafeFiles.deleteTree(work);
        }
    }

    private static Path tool(String name) {
        return LabResources.onPath(name).orElseThrow(() -> new LabException("building guest programs needs " + name
                + " (Debian package binutils-aarch64-linux-gnu)"));
    }

    private static void run(List<String> cmd, Path dir) {
        List<String> out = new ArrayList<>();
        OptionalInt status;
        try (ChildProcess p = ChildProcess.start(cmd.get(0), cmd, dir, out::add, out::add)) {
            status = p.await(TOOL_TIMEOUT);
        }
        if (status.isEmpty() || status.getAsInt() != 0) {
            throw new LabException(Path.of(cmd.get(0)).getFileName() + " failed: "
                    + (out.isEmpty() ? "status " + status : dev.regshim.util.Text.safe(out.get(out.size() - 1), 160)));
        }
    }
}
