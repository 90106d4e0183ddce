package dev.regshim.lab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which modules a lab host of a kernel loads, and in what order (6.1 builds its virtio console as a module). */
class KernelFilesTest {

    private static Path kernelDir(Path dir, String config, String... modules) throws IOException {
        byte[] header = new byte[64];
        header[0x38] = 'A';
        header[0x39] = 'R';
        header[0x3a] = 'M';
        header[0x3b] = 0x64;
        Files.write(dir.resolve("Image"), header);
        Files.writeString(dir.resolve("kernel.txt"), "package=linux-image-test\nversion=1\n");
        Files.writeString(dir.resolve("config"), config);
        if (modules.length > 0) {
            Files.createDirectories(dir.resolve("modules"));
            for (String m : modules) {
                Files.write(dir.resolve("modules").resolve(m), new byte[]{1});
            }
        }
        return dir;
    }

    private static List<String> names(List<Path> files) {
        return files.stream().map(p -> p.getFileName().toString()).toList();
    }

    @Test
    void aKernelWithModularVirtioLoadsItsStackInTheOrderTheScriptWroteAndTheNetworkOnlyWhenAsked(@TempDir Path dir)
            throws IOException {
        kernelDir(dir, "CONFIG_KVM=y\nCONFIG_VIRTIO=y\nCONFIG_VIRTIO_PCI=m\nCONFIG_VIRTIO_CONSOLE=m\n",
                "virtio_pci.ko", "virtio_console.ko.xz", "virtio_pci_modern_dev.ko", "failover.ko", "net_failover.ko",
                "virtio_net.ko");
        Files.writeString(dir.resolve("modules/order"), "virtio_pci_modern_dev.ko\nvirtio_pci.ko\nvirtio_console.ko.xz\n"
                + "failover.ko\nnet_failover.ko\nvirtio_net.ko\n");
        KernelFiles k = KernelFiles.fromDirectory(dir, KernelFiles.ORIGIN_DEBIAN);
        assertThat(k.modularVirtio()).isTrue();
        assertThat(k.lacksLabModules(false)).isFalse();
        assertThat(names(k.labModules(false))).containsExactly("virtio_pci_modern_dev.ko", "virtio_pci.ko",
                "virtio_console.ko.xz");
        assertThat(names(k.labModules(true))).containsExactly("virtio_pci_modern_dev.ko", "virtio_pci.ko",
                "virtio_console.ko.xz", "failover.ko", "net_failover.ko", "virtio_net.ko");
    }

    @Test
    void aKernelWithBuiltInVirtioNeedsModulesOnlyForTheNetwork(@TempDir Path dir) throws IOException {
        KernelFiles k = KernelFiles.fromDirectory(kernelDir(dir, "CONFIG_VIRTIO=y\nCONFIG_VIRTIO_PCI=y\n"
                + "CONFIG_VIRTIO_CONSOLE=y\nCONFIG_VIRTIO_MMIO=m\n"), KernelFiles.ORIGIN_DEBIAN);
        assertThat(k.modularVirtio()).isFalse();
        assertThat(k.lacksLabModules(false)).isFalse();
        assertThat(k.lacksLabModules(true)).isTrue();
        assertThat(k.labModules(true)).isEmpty();
    }

    @Test
    void aModulesDirectoryFromBeforeTheOrderFileLoadsFailoverFirst(@TempDir Path dir) throws IOException {
        KernelFiles k = KernelFiles.fromDirectory(kernelDir(dir, "CONFIG_VIRTIO_CONSOLE=y\n", "virtio_net.ko.xz",
                "net_failover.ko.xz", "failover.ko.xz"), KernelFiles.ORIGIN_DEBIAN);
        assertThat(names(k.labModules(true))).containsExactly("failover.ko.xz", "net_failover.ko.xz", "virtio_net.ko.xz");
        assertThat(k.labModules(false)).isEmpty();
    }

    @Test
    void anOrderFileCannotNameAFileOutsideItsDirectory(@TempDir Path dir) throws IOException {
        kernelDir(dir, "CONFIG_VIRTIO_CONSOLE=m\n", "virtio_console.ko");
        Files.writeString(dir.resolve("modules/order"), "../Image\nvirtio_console.ko\n");
        KernelFiles k = KernelFiles.fromDirectory(dir, KernelFiles.ORIGIN_DEBIAN);
        assertThat(names(k.labModules(false))).containsExactly("virtio_console.ko");
    }
}
