package dev.regshim.testing;

import dev.regshim.stream.container.LibvirtFormat;
import dev.regshim.stream.container.LibvirtHeader;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds libvirt {@code virsh save} images the way libvirt does, for tests (there is no libvirt here): the header,
 * the XML area (domain XML, NUL, optional cookie XML, NUL, 64 KiB of zero padding), then the QEMU stream piped
 * through the format's own command-line tool ({@code gzip -c}, {@code bzip2 -c}, {@code xz -c -3},
 * {@code zstd -c}), or appended raw. Needs those tools: skipped without them, failed in CI.
 */
public final class LibvirtImages {

    /** libvirt leaves this much zero padding after the XML so that the XML can be edited in place. */
    public static final int PADDING = 64 * 1024;

    public static final String DOMAIN_XML = "<domain type='kvm'>\n  <name>regshim-test</name>\n"
            + "  <uuid>6d3b9f5e-0c43-4a3b-9d0e-6f1b2c3d4e5f</uuid>\n  <memory unit='KiB'>65536</memory>\n"
            + "  <os><type arch='aarch64' machine='virt-7.2'>hvm</type></os>\n"
            + "  <cpu mode='custom'><model>max</model></cpu>\n</domain>\n";
    public static final String COOKIE_XML = "<cookie>\n  <cpu mode='custom'><model>max</model></cpu>\n</cookie>\n";

    private LibvirtImages() {
    }

    /** The XML area libvirt writes: xml NUL [cookie NUL] zeros. */
    public static byte[] xmlArea(String domainXml, String cookieXml, int padding) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(domainXml.getBytes(StandardCharsets.UTF_8));
        out.write(0);
        if (cookieXml != null) {
            out.writeBytes(cookieXml.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        out.writeBytes(new byte[padding]);
        return out.toByteArray();
    }

    /** The header + XML area of an image; the stream follows at {@code 92 + xmlArea.length}. */
    public static byte[] prefix(LibvirtFormat format, String domainXml, String cookieXml, boolean wasRunning) {
        byte[] area = xmlArea(domainXml, cookieXml, PADDING);
        long cookieOffset = cookieXml == null ? 0 : domainXml.getBytes(StandardCharsets.UTF_8).length + 1;
        byte[] header = LibvirtHeader.of(area.length, wasRunning, format, cookieOffset).encode();
        byte[] all = new byte[header.length + area.length];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy(area, 0, all, header.length, area.length);
        return all;
    }

    /** Writes an image around {@code rawStream}, compressed with the real tool of {@code format}. */
    public static Path build(Path out, Path rawStream, LibvirtFormat format, String domainXml, String cookieXml,
                             boolean wasRunning) throws IOException {
        Files.write(out, prefix(format, domainXml, cookieXml, wasRunning));
        appendCompressed(rawStream, format, out);
        return out;
    }

    public static Path build(Path out, Path rawStream, LibvirtFormat format) throws IOException {
        return build(out, rawStream, format, DOMAIN_XML, COOKIE_XML, false);
    }

    /** The command libvirt runs to compress a stream of this format ({@code <tool> -c}, xz with {@code -3}). */
    public static List<String> compressCommand(LibvirtFormat format) {
        List<String> cmd = new ArrayList<>(List.of(format.libvirtName(), "-c"));
        if (format == LibvirtFormat.XZ) {
            cmd.add("-3");
        }
        if (format == LibvirtFormat.ZSTD) {
            cmd.add("-q");
        }
        return cmd;
    }

    /** Appends {@code rawStream} to {@code out}, through the format's compressor unless it is RAW. */
    public static void appendCompressed(Path rawStream, LibvirtFormat format, Path out) throws IOException {
        if (format == LibvirtFormat.RAW) {
            try (OutputStream o = Files.newOutputStream(out, StandardOpenOption.APPEND)) {
                Files.copy(rawStream, o);
            }
            return;
        }
        QemuTestSupport.requireTool(format.libvirtName());
        Process p = new ProcessBuilder(compressCommand(format))
                .redirectInput(rawStream.toFile())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                .redirectError(ProcessBuilder.Redirect.PIPE)
                .start();
        byte[] err = p.getErrorStream().readNBytes(16 * 1024);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", compressCommand(format)) + " failed: "
                        + new String(err, StandardCharsets.UTF_8).strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
