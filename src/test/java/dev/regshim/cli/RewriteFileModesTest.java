package dev.regshim.cli;

import dev.regshim.stream.Fixtures;
import dev.regshim.util.FileModes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Rewritten files keep the mode of what they replace or come from, and no failure leaves a temporary file. */
class RewriteFileModesTest {

    @TempDir
    Path tmp;

    private Path file(String name, String fixture, String mode) throws IOException {
        Path p = Files.write(tmp.resolve(name), Fixtures.stream(fixture));
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        return p;
    }

    private Cli.Run rewrite(Path in, Path out) throws IOException {
        Path dst = tmp.resolve("dst.mig");
        if (!Files.exists(dst)) {
            Files.write(dst, Fixtures.stream("qemu-7.2/gen-max"));
        }
        return Cli.run("rewrite", in.toString(), out.toString(), "--to", dst.toString());
    }

    @Test
    void aNewOutputTakesTheInputsMode() throws IOException {
        Path in = file("in.mig", "qemu-7.2/gen-max_nopauth", "rw-r--r--");
        Path out = tmp.resolve("out.mig");
        assertThat(rewrite(in, out).exit()).isZero();
        assertThat(FileModes.mode(out)).isEqualTo(0644);

        Path secret = file("secret.mig", "qemu-7.2/gen-max_nopauth", "rw-------");
        Path out2 = tmp.resolve("out2.mig");
        assertThat(rewrite(secret, out2).exit()).isZero();
        assertThat(FileModes.mode(out2)).as("a private input stays private").isEqualTo(0600);
    }

    @Test
    void rewritingInPlaceOrOverAFileKeepsThatFilesMode() throws IOException {
        Path in = file("same.mig", "qemu-7.2/gen-max_nopauth", "rw-r--r--");
        Cli.Run r = rewrite(in, in);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(FileModes.mode(in)).isEqualTo(0644);

        Path src = file("src.mig", "qemu-7.2/gen-max_nopauth", "rw-r--r--");
        Path existing = file("existing.mig", "qemu-7.2/gen-max", "rw-r-----");
        assertThat(rewrite(src, existing).exit()).isZero();
        assertThat(FileModes.mode(existing)).isEqualTo(0640);
    }

    @Test
    void aCompressedImageRewrittenInPlaceKeepsItsMode() throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream o = new java.util.zip.GZIPOutputStream(gz)) {
            o.write(Fixtures.stream("qemu-7.2/gen-max_nopauth"));
        }
        Path in = Files.write(tmp.resolve("vm.mig.gz"), gz.toByteArray());
        Files.setPosixFilePermissions(in, PosixFilePermissions.fromString("rw-rw-r--"));
        Cli.Run r = rewrite(in, in);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(FileModes.mode(in)).isEqualTo(0664);
    }

    @Test
    void aFailedMoveLeavesNoTemporaryFile() throws IOException {
        Path in = file("in.mig", "qemu-7.2/gen-max_nopauth", "rw-r--r--");
        Path dir = Files.createDirectory(tmp.resolve("taken"));
        Files.writeString(dir.resolve("keep"), "x"); // a non-empty directory cannot be replaced by a file
        Cli.Run r = rewrite(in, dir);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines()).hasSize(1);
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("tmp"));
        }
    }
}
