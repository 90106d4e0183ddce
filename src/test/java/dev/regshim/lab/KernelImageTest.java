package dev.regshim.lab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KernelImageTest {

    @Test
    void recognisesTheArm64ImageHeader(@TempDir Path dir) throws Exception {
        byte[] header = new byte[64];
        header[0x38] = 'A';
        header[0x39] = 'R';
        header[0x3a] = 'M';
        header[0x3b] = 0x64;
        Path image = dir.resolve("Image");
        Files.write(image, header);
        assertThat(KernelImage.check(image)).isEqualTo(KernelImage.Kind.IMAGE);
        Files.write(image, new byte[]{0x1f, (byte) 0x8b, 8, 0});
        assertThat(KernelImage.check(image)).isEqualTo(KernelImage.Kind.GZIP_IMAGE);
        Files.write(image, new byte[]{'M', 'Z', 0, 0, 'z', 'i', 'm', 'g'});
        assertThat(KernelImage.check(image)).isEqualTo(KernelImage.Kind.EFI_ZBOOT);
    }

    @Test
    void anythingElseIsAOneLineErrorNamingTheFile(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "this is not a kernel, just some text that is long enough to have a header\n");
        assertThatThrownBy(() -> KernelImage.check(text)).isInstanceOf(LabException.class)
                .hasMessageContaining(text.toString()).hasMessageContaining("not an arm64 kernel")
                .hasMessageNotContaining("\n");
        Path empty = dir.resolve("empty");
        Files.write(empty, new byte[0]);
        assertThatThrownBy(() -> KernelImage.check(empty)).hasMessageContaining("not an arm64 kernel");
        assertThatThrownBy(() -> KernelImage.check(dir.resolve("missing"))).hasMessageContaining("no such file");
    }
}
