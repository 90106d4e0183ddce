package dev.regshim.lab;

import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CpioTest {

    @Test
    void writesNewcThatAnIndependentReaderUnpacks(@TempDir Path dir) throws Exception {
        Path big = dir.resolve("big");
        byte[] data = new byte[10_007];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        Files.write(big, data);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Cpio cpio = new Cpio(bytes)) {
            cpio.directory("dev");
            cpio.charDevice("dev/console", 0600, 5, 1);
            cpio.file("init", 0755, "#!/bin/sh\n".getBytes(StandardCharsets.US_ASCII));
            cpio.file("bin/big", 0644, big);
            cpio.symlink("bin/sh", "busybox");
        }
        assertThat(bytes.size() % 4).isZero();
        List<String> seen = new ArrayList<>();
        try (CpioArchiveInputStream in = new CpioArchiveInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            CpioArchiveEntry e;
            while ((e = in.getNextCPIOEntry()) != null) {
                byte[] content = in.readAllBytes();
                seen.add(e.getName() + " " + Long.toOctalString(e.getMode()) + " " + content.length);
                if (e.getName().equals("bin/big")) {
                    assertThat(content).isEqualTo(data);
                }
                if (e.getName().equals("dev/console")) {
                    assertThat(e.getRemoteDeviceMaj()).isEqualTo(5);
                    assertThat(e.getRemoteDeviceMin()).isEqualTo(1);
                }
                if (e.getName().equals("bin/sh")) {
                    assertThat(new String(content, StandardCharsets.UTF_8)).isEqualTo("busybox");
                }
            }
        }
        assertThat(seen).containsExactly("dev 40755 0", "dev/console 20600 0", "init 100755 10", "bin/big 100644 10007",
                "bin/sh 120777 7");
    }

    @Test
    void sameInputsGiveTheSameBytes() throws Exception {
        assertThat(archive()).isEqualTo(archive());
    }

    @Test
    void refusesAbsoluteNames() {
        assertThatThrownBy(() -> new Cpio(new ByteArrayOutputStream()).file("/init", 0755, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] archive() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Cpio cpio = new Cpio(bytes)) {
            cpio.directory("proc");
            cpio.file("init", 0755, new byte[]{1, 2, 3});
        }
        return bytes.toByteArray();
    }
}
