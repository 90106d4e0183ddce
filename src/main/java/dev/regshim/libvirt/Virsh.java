package dev.regshim.libvirt;

import dev.regshim.util.Text;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code virsh -c URI ...} as a child process, with a time limit and bounded output. Failures are typed: no virsh,
 * libvirt unreachable at the URI, no such domain, a domain that is not aarch64; virsh's own first error line is kept
 * in the message for the user, never decided on.
 */
public final class Virsh {

    public static final String DEFAULT_URI = "qemu:///system";
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** virsh's answers are a domain XML or a command line: far below this. */
    static final int MAX_OUTPUT = DomainXml.MAX_CHARS;

    private final Path virsh;
    private final String uri;

    private Virsh(Path virsh, String uri) {
        this.virsh = virsh;
        this.uri = uri;
    }

    /** virsh from PATH, talking to {@code uri}; the connection is tried at once. */
    public static Virsh connect(String uri) {
        Path found = dev.regshim.util.Executables.onPath("virsh").orElse(null);
        if (found == null) {
            throw new LibvirtException(LibvirtException.Kind.VIRSH_MISSING,
                    "virsh not found on PATH (apt-get install libvirt-clients)");
        }
        Virsh v = new Virsh(found, uri);
        Result r = v.run("uri");
        if (r.exit != 0) {
            throw new LibvirtException(LibvirtException.Kind.UNREACHABLE, "cannot reach libvirt at " + uri + ": " + r.error());
        }
        return v;
    }

    /** The domain's XML as libvirt holds it; it must be an aarch64 guest. */
    public DomainXml domain(String name) {
        Result r = run("dumpxml", "--domain", name);
        if (r.exit != 0) {
            throw new LibvirtException(LibvirtException.Kind.NO_DOMAIN, "no domain '" + Text.safe(name, 80) + "' at " + uri
                    + " (virsh: " + r.error() + ")");
        }
        DomainXml xml = DomainXml.parse(r.out, "domain " + Text.safe(name, 80));
        if (!xml.isAarch64()) {
            throw new LibvirtException(LibvirtException.Kind.NOT_AARCH64, "domain '" + Text.safe(name, 80) + "' is an "
                    + Text.safe(xml.arch().orElse("unknown-architecture"), 20) + " guest, not aarch64: regshim profiles ARM64 vCPUs");
        }
        return xml;
    }

    /** The QEMU command line libvirt would run for the domain, split into words. */
    public List<String> qemuArgv(String name) {
        Result r = run("domxml-to-native", "--format", "qemu-argv", "--domain", name);
        if (r.exit != 0) {
            throw new LibvirtException(LibvirtException.Kind.VIRSH_FAILED, "virsh domxml-to-native of domain '"
                    + Text.safe(name, 80) + "' failed: " + r.error());
        }
        return QemuArgv.tokenize(r.out, "virsh domxml-to-native of domain '" + Text.safe(name, 80) + "'");
    }

    public String uri() {
        return uri;
    }

    record Result(int exit, String out, String err) {
        /** virsh's error lines joined into one ("failed to connect ...: Failed to connect socket ..."), made safe to print. */
        String error() {
            List<String> lines = new ArrayList<>();
            for (String l : err.split("\n")) {
                if (!l.isBlank()) {
                    lines.add(l.strip().replaceFirst("^error: ", ""));
                }
            }
            return lines.isEmpty() ? "exit status " + exit : Text.oneLine(String.join(": ", lines), 200);
        }
    }

    Result run(String... args) {
        List<String> cmd = new ArrayList<>(List.of(virsh.toString(), "-c", uri));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            java.util.concurrent.CompletableFuture<byte[]> err = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> readBounded(p.getErrorStream()));
            byte[] out = readBounded(p.getInputStream());
            if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new LibvirtException(LibvirtException.Kind.UNREACHABLE, "virsh -c " + uri + " " + args[0]
                        + " did not answer within " + TIMEOUT.toSeconds() + " s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err.join(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new LibvirtException(LibvirtException.Kind.VIRSH_MISSING, "cannot run " + virsh + ": "
                    + dev.regshim.util.SafeFiles.reason(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LibvirtException(LibvirtException.Kind.VIRSH_FAILED, "interrupted while running virsh");
        }
    }

    private static byte[] readBounded(InputStream in) {
        try (in) {
            byte[] b = in.readNBytes(MAX_OUTPUT);
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return b;
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
