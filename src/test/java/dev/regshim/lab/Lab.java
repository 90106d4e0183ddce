package dev.regshim.lab;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * For tests tagged "kvm": real arm64 kernels booted in an outer QEMU. They need QEMU 10.0 and 11.1
 * ({@code scripts/get-qemu.sh}), the cross compiler for the probe, and apt with Debian's archive keyring for the kernel
 * packages. Missing tools skip such tests on a developer machine and fail them when CI=true.
 */
final class Lab {

    private Lab() {
    }

    static void require() {
        List<String> missing = new ArrayList<>();
        if (LabHost.binary("10.0").isEmpty()) {
            missing.add("QEMU 10.0 (scripts/get-qemu.sh 10.0)");
        }
        if (LabHost.binary("11.1").isEmpty()) {
            missing.add("QEMU 11.1 (scripts/get-qemu.sh 11.1)");
        }
        if (LabResources.onPath(LabResources.CROSS_COMPILER).isEmpty()) {
            missing.add(LabResources.CROSS_COMPILER);
        }
        if (LabResources.onPath("apt-get").isEmpty() || !Files.isReadable(Path.of("/usr/share/keyrings/debian-archive-keyring.gpg"))) {
            missing.add("apt-get with debian-archive-keyring");
        }
        if (!missing.isEmpty() && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("the lab needs, when CI=true: " + String.join(", ", missing));
        }
        Assumptions.assumeTrue(missing.isEmpty(), "lab tools missing: " + missing);
    }

    /** The arm64 QEMU of a series (get-qemu.sh --arch arm64) and binutils for the guest: what lab migrate runs. */
    static void requireUserland(String series) {
        java.util.List<String> missing = new ArrayList<>();
        Path dir = LabResources.cacheDir().resolve("qemu-" + series + "-arm64");
        if (!Files.isExecutable(dir.resolve("qemu-system-aarch64"))) {
            missing.add("Debian's arm64 QEMU " + series + " (scripts/get-qemu.sh --arch arm64 " + series + ")");
        }
        if (LabResources.onPath(GuestProgram.AS).isEmpty()) {
            missing.add(GuestProgram.AS);
        }
        if (!missing.isEmpty() && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("lab migrate needs, when CI=true: " + String.join(", ", missing));
        }
        Assumptions.assumeTrue(missing.isEmpty(), "lab userland missing: " + missing);
    }
}
