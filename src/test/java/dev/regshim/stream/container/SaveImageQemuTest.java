package dev.regshim.stream.container;

import dev.regshim.qemu.IncomingResult;
import dev.regshim.qemu.MigrationUris;
import dev.regshim.qemu.QemuBinary;
import dev.regshim.qemu.QemuProcess;
import dev.regshim.testing.LibvirtImages;
import dev.regshim.testing.QemuTestSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static dev.regshim.testing.QemuTestSupport.virt;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Save images written the way libvirt writes them, by QEMU itself: header and XML area first, then QEMU migrates
 * through the format's compressor appending to the file. The stream regshim extracts must load into QEMU.
 */
@Tag("qemu")
class SaveImageQemuTest {

    private static QemuBinary qemu;

    @TempDir
    Path tmp;

    @BeforeAll
    static void qemu() {
        qemu = QemuTestSupport.requireQemu();
    }

    @ParameterizedTest
    @EnumSource(value = LibvirtFormat.class, names = {"RAW", "GZIP", "XZ", "ZSTD", "BZIP2"})
    void streamExtractedFromAnImageQemuWroteLoadsBack(LibvirtFormat format) throws Exception {
        Path img = tmp.resolve("vm.save");
        Files.write(img, LibvirtImages.prefix(format, LibvirtImages.DOMAIN_XML, null, false));
        String compressor = format == LibvirtFormat.RAW ? "cat"
                : String.join(" ", LibvirtImages.compressCommand(format));
        if (format != LibvirtFormat.RAW) {
            QemuTestSupport.requireTool(format.libvirtName());
        }
        try (QemuProcess src = QemuProcess.builder(qemu).args(virt("max", "-S")).start()) {
            src.migrateTo("exec:" + compressor + " >> " + MigrationUris.shellQuote(img.toString()));
        }

        SaveImage image = SaveImage.open(img);
        assertThat(image.libvirtFormat()).contains(format);
        assertThat(image.domainXml()).isEqualTo(LibvirtImages.DOMAIN_XML);
        Path raw = tmp.resolve("extracted.mig");
        try (InputStream in = image.openStream()) {
            Files.copy(in, raw);
        }
        try (QemuProcess dst = QemuProcess.builder(qemu).args(virt("max", "-S")).incomingDefer().start()) {
            dst.migrateIncomingFromFile(raw);
            IncomingResult r = dst.waitForIncomingResult(Duration.ofSeconds(20));
            assertThat(r.loaded()).as(r.summary()).isTrue();
            assertThat(r.runState()).isEqualTo("prelaunch");
        }

        // and a re-wrapped image still yields a stream QEMU loads
        Path rewrapped = tmp.resolve("rewrapped.save");
        try (InputStream in = Files.newInputStream(raw)) {
            SaveImageWriter.rewrap(image, in, rewrapped);
        }
        Path raw2 = tmp.resolve("extracted2.mig");
        try (InputStream in = SaveImage.open(rewrapped).openStream()) {
            Files.copy(in, raw2);
        }
        assertThat(Files.mismatch(raw, raw2)).isEqualTo(-1L);
    }
}
