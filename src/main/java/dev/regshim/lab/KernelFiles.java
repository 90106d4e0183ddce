package dev.regshim.lab;

import dev.regshim.util.SafeFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A kernel ready to boot: its Image, and what is known of where it came from. For a Debian package the directory
 * {@code get-kernel.sh} made holds {@code Image}, {@code config} and {@code kernel.txt} ({@code package=},
 * {@code version=}, {@code upstream=}, {@code suite=}, {@code sha256=}); for a bare Image file only the file is known.
 *
 * @param origin   "debian" (fetched), "deb" (a package file the user gave) or "image" (a bare Image file)
 * @param config   the kernel's build options that matter here ({@link #CONFIG_KEYS}), when a config was shipped
 * @param modules  the directory of the modules a lab host loads ({@code get-kernel.sh --modules}), when asked for
 * @param modularVirtio whether the kernel builds its virtio transport or console as modules (6.1 does): a lab host
 *                 then needs them loaded before it can reach its control port
 */
public record KernelFiles(String origin, Path image, String packageName, String packageVersion, String upstream,
                          String suite, String sha256, Map<String, String> config, Optional<Path> modules,
                          boolean modularVirtio) {

    /** The modules only the lab's network needs (loaded for a live migration only). */
    static final java.util.Set<String> NETWORK_MODULES = java.util.Set.of("failover", "net_failover", "virtio_net");

    /** Options that, built as modules, keep a lab host from its virtio-serial control port until loaded. */
    private static final java.util.List<String> VIRTIO_KEYS = java.util.List.of("CONFIG_VIRTIO", "CONFIG_VIRTIO_PCI",
            "CONFIG_VIRTIO_CONSOLE");

    /** Build options recorded with a capture: they decide what KVM can show. */
    public static final java.util.List<String> CONFIG_KEYS = java.util.List.of("CONFIG_KVM", "CONFIG_ARM64_POE",
            "CONFIG_ARM64_PTR_AUTH", "CONFIG_ARM64_SVE", "CONFIG_ARM64_MTE", "CONFIG_ARM64_GCS", "CONFIG_ARM64_VHE",
            "CONFIG_HW_PERF_EVENTS", "CONFIG_ARM_PMUV3");

    static final String ORIGIN_DEBIAN = "debian";
    static final String ORIGIN_DEB = "deb";
    static final String ORIGIN_IMAGE = "image";

    /** Reads a directory made by {@code get-kernel.sh fetch|unpack}. */
    static KernelFiles fromDirectory(Path dir, String origin) {
        Map<String, String> meta = keyValues(dir.resolve("kernel.txt"), '=');
        Path image = dir.resolve("Image");
        KernelImage.check(image);
        Map<String, String> config = new LinkedHashMap<>();
        Path cfg = dir.resolve("config");
        boolean modularVirtio = false;
        if (Files.isRegularFile(cfg)) {
            Map<String, String> all = keyValues(cfg, '=');
            modularVirtio = VIRTIO_KEYS.stream().anyMatch(k -> "m".equals(all.get(k)));
            for (String k : CONFIG_KEYS) {
                if (all.containsKey(k)) {
                    config.put(k, all.get(k));
                } else if (all.containsKey("# " + k + " is not set")) {
                    config.put(k, "n");
                }
            }
        }
        Path mods = dir.resolve("modules");
        Optional<Path> modules = Optional.empty();
        if (Files.isDirectory(mods)) {
            try (var s = Files.list(mods)) {
                if (s.anyMatch(Files::isRegularFile)) {
                    modules = Optional.of(mods);
                }
            } catch (IOException e) {
                throw new LabException("cannot read " + mods + ": " + SafeFiles.reason(e));
            }
        }
        return new KernelFiles(origin, image, meta.get("package"), meta.get("version"), meta.get("upstream"),
                meta.get("suite"), meta.get("sha256"), Map.copyOf(config), modules, modularVirtio);
    }

    /** Whether a lab host of this kernel needs modules it does not have ({@code network}: for a live migration). */
    boolean lacksLabModules(boolean network) {
        return (network || modularVirtio) && modules.isEmpty();
    }

    /**
     * The module files a lab host loads, in load order ({@code modules/order}; a directory from before that file
     * holds only the network's, loaded failover first): the network's only when {@code network}.
     */
    java.util.List<Path> labModules(boolean network) {
        if (modules.isEmpty()) {
            return java.util.List.of();
        }
        Path dir = modules.get();
        try {
            java.util.List<Path> files;
            Path order = dir.resolve("order");
            if (Files.isRegularFile(order)) {
                files = Files.readAllLines(order, StandardCharsets.UTF_8).stream().map(String::strip)
                        .filter(n -> !n.isEmpty() && !n.contains("/")).map(dir::resolve).toList();
            } else {
                try (var s = Files.list(dir)) {
                    files = s.filter(Files::isRegularFile).sorted(java.util.Comparator.comparingInt(KernelFiles::legacyRank))
                            .toList();
                }
            }
            return files.stream().filter(f -> network || !NETWORK_MODULES.contains(moduleName(f))).toList();
        } catch (IOException e) {
            throw new LabException("cannot read " + dir + ": " + SafeFiles.reason(e));
        }
    }

    /** "virtio_net" for virtio_net.ko.xz. */
    static String moduleName(Path f) {
        String n = f.getFileName().toString();
        int ko = n.indexOf(".ko");
        return ko > 0 ? n.substring(0, ko) : n;
    }

    /** failover before net_failover before virtio_net: each needs the one before. */
    private static int legacyRank(Path p) {
        String n = moduleName(p);
        return n.equals("failover") ? 0 : n.equals("net_failover") ? 1 : 2;
    }

    /** A bare Image file: nothing but the file is known (the release comes from the boot). */
    static KernelFiles bareImage(Path image) {
        KernelImage.check(image);
        return new KernelFiles(ORIGIN_IMAGE, image.toAbsolutePath(), null, null, null, null, null, Map.of(),
                Optional.empty(), false);
    }

    /** "linux-binary-7.3.4+deb13-arm64 7.3.4-1~bpo13+1 (trixie-backports)", or the Image path. */
    public String describe() {
        if (packageName == null) {
            return image.toString();
        }
        return packageName + " " + packageVersion + (suite == null ? "" : " (" + suite + ")");
    }

    private static Map<String, String> keyValues(Path file, char separator) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.startsWith("# CONFIG_") && line.endsWith(" is not set")) {
                    out.put(line, "n");
                    continue;
                }
                int eq = line.indexOf(separator);
                if (eq > 0 && !line.startsWith("#")) {
                    out.put(line.substring(0, eq).strip(), unquote(line.substring(eq + 1).strip()));
                }
            }
        } catch (IOException e) {
            throw new LabException("cannot read " + file + ": " + SafeFiles.reason(e));
        }
        return out;
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }
}
