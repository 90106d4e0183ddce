package dev.regshim.qemu;

import dev.regshim.release.QemuVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The parts of dev.regshim.qemu that need no QEMU: version lines, URIs, lookups, QMP framing, output bounds. */
class QemuBasicsTest {

    @TempDir
    Path tmp;

    @Test
    void parsesVersionLines() {
        QemuVersion v72 = QemuBinary.parseVersion("QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\n"
                + "Copyright (c) 2003-2022 Fabrice Bellard and the QEMU Project developers\n");
        assertThat(v72.number()).isEqualTo("7.2.22");
        assertThat(v72.text()).isEqualTo("QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)");
        assertThat(v72.hasFileMigrationUri()).isFalse();
        QemuVersion v10 = QemuBinary.parseVersion("QEMU emulator version 10.0.13 (Debian 1:10.0.13+ds-0+deb13u1)");
        assertThat(v10.hasFileMigrationUri()).isTrue();
        assertThat(v10).isGreaterThan(v72);
        assertThat(QemuBinary.parseVersion("QEMU emulator version 8.2").atLeast(8, 2)).isTrue();
        assertThatThrownBy(() -> QemuBinary.parseVersion("bash: qemu: command not found"))
                .isInstanceOf(QemuException.class).hasMessage("not a QEMU version line: 'bash: qemu: command not found'");
    }

    @Test
    void buildsMigrationUris() {
        Path odd = Path.of("/tmp/it's here/a b.mig");
        assertThat(MigrationUris.execWriteFile(odd)).isEqualTo("exec:cat > '/tmp/it'\\''s here/a b.mig'");
        assertThat(MigrationUris.execReadFile(odd)).isEqualTo("exec:cat '/tmp/it'\\''s here/a b.mig'");
        QemuVersion v72 = new QemuVersion(7, 2, 22, "");
        QemuVersion v10 = new QemuVersion(10, 0, 13, "");
        Path plain = Path.of("/tmp/x.mig");
        assertThat(MigrationUris.writeFile(v72, plain)).isEqualTo("exec:cat > '/tmp/x.mig'");
        assertThat(MigrationUris.writeFile(v10, plain)).isEqualTo("file:/tmp/x.mig");
        assertThat(MigrationUris.readFile(v10, Path.of("/tmp/a,b.mig"))).isEqualTo("exec:cat '/tmp/a,b.mig'");
        assertThatThrownBy(() -> MigrationUris.file(Path.of("/tmp/a,b"))).isInstanceOf(QemuException.class);
        assertThat(MigrationUris.tcp("127.0.0.1", 4444)).isEqualTo("tcp:127.0.0.1:4444");
        assertThat(MigrationUris.tcp("::1", 0)).isEqualTo("tcp:[::1]:0");
    }

    @Test
    void findsQemuByEnvThenPath() throws Exception {
        Path bin = tmp.resolve("bin");
        Files.createDirectories(bin);
        Path fake = script(bin.resolve(QemuBinary.EXECUTABLE), "echo 'QEMU emulator version 9.1.0'");
        assertThat(QemuBinary.find(Map.of("PATH", "/nonexistent:" + bin)).map(QemuBinary::path)).contains(fake);
        assertThat(QemuBinary.find(Map.of("PATH", "/nonexistent"))).isEmpty();
        Path other = script(tmp.resolve("my-qemu"), "echo 'QEMU emulator version 7.2.0'");
        assertThat(QemuBinary.find(Map.of(QemuBinary.ENV_QEMU, other.toString(), "PATH", bin.toString()))
                .map(QemuBinary::path)).contains(other);
        assertThat(QemuBinary.find(Map.of(QemuBinary.ENV_QEMU, tmp.resolve("missing").toString()))).isEmpty();
        assertThat(QemuBinary.at(fake).version().number()).isEqualTo("9.1.0");
    }

    @Test
    void qemu10OnlyAcceptsA10_0BinaryInTheCache() throws Exception {
        Path cache = tmp.resolve("cache");
        Path dir = Files.createDirectories(cache.resolve(QemuBinary.QEMU10_DIR));
        Map<String, String> env = Map.of(QemuBinary.ENV_CACHE, cache.toString());
        assertThat(QemuBinary.qemu10(env)).isEmpty();
        script(dir.resolve(QemuBinary.EXECUTABLE), "echo 'QEMU emulator version 9.2.0'");
        assertThat(QemuBinary.qemu10(env)).isEmpty();
        script(dir.resolve(QemuBinary.EXECUTABLE), "echo 'QEMU emulator version 10.0.13 (Debian)'");
        assertThat(QemuBinary.qemu10(env)).isPresent();
        script(dir.resolve(QemuBinary.EXECUTABLE), "exit 3");
        assertThat(QemuBinary.qemu10(env)).isEmpty();
        assertThat(QemuBinary.cacheDir(Map.of("XDG_CACHE_HOME", "/x"))).isEqualTo(Path.of("/x/regshim"));
    }

    @Test
    void qmpFramingIsTheSameWholeByteByByteAndInRandomChunks() {
        String stream = "{\"QMP\": {}}\r\n{\"return\": {}, \"id\": 1}\r\n{\"event\": \"STOP\"}\r\n\r\n{\"return\": 5, \"id\": 2}\n";
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        List<String> whole = frames(List.of(bytes));
        assertThat(whole).containsExactly("{\"QMP\": {}}\r", "{\"return\": {}, \"id\": 1}\r", "{\"event\": \"STOP\"}\r",
                "\r", "{\"return\": 5, \"id\": 2}");
        List<byte[]> single = new ArrayList<>();
        for (byte b : bytes) {
            single.add(new byte[] {b});
        }
        assertThat(frames(single)).isEqualTo(whole);
        Random rnd = new Random(42);
        for (int round = 0; round < 50; round++) {
            List<byte[]> chunks = new ArrayList<>();
            int pos = 0;
            while (pos < bytes.length) {
                int n = Math.min(bytes.length - pos, 1 + rnd.nextInt(9));
                chunks.add(java.util.Arrays.copyOfRange(bytes, pos, pos + n));
                pos += n;
            }
            assertThat(frames(chunks)).isEqualTo(whole);
        }
    }

    @Test
    void qmpFramingRefusesAnOverlongMessage() {
        QmpClient.MessageAssembler a = new QmpClient.MessageAssembler(16);
        assertThat(a.feed(ByteBuffer.wrap("0123456789abcdef\n".getBytes(StandardCharsets.US_ASCII)))).hasSize(1);
        assertThatThrownBy(() -> a.feed(ByteBuffer.wrap("0123456789abcdefX".getBytes(StandardCharsets.US_ASCII))))
                .isInstanceOf(QemuException.class).hasMessage("QMP message longer than 16 bytes");
    }

    @Test
    void outputBuffersKeepTheLastLinesWithinBounds() throws Exception {
        BoundedLines lines = new BoundedLines(3, 5);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            sb.append("line-").append(i).append(i == 9 ? "" : "\n");
        }
        sb.append("\r\n").append("x".repeat(100)).append('\n');
        lines.pump(new java.io.ByteArrayInputStream(sb.toString().getBytes(StandardCharsets.UTF_8)), "t");
        lines.awaitEnd(5000);
        assertThat(lines.snapshot()).containsExactly("line-", "line-", "xxxxx");
        assertThat(lines.droppedLines()).isEqualTo(8);
        assertThat(QemuProcess.stripProgramPrefix("qemu-system-aarch64: load of migration failed: Invalid argument"))
                .isEqualTo("load of migration failed: Invalid argument");
        assertThat(QemuProcess.stripProgramPrefix("/x/usr/bin/qemu-system-aarch64: a: b")).isEqualTo("a: b");
        assertThat(QemuProcess.stripProgramPrefix("plain: line")).isEqualTo("plain: line");
    }

    private static List<String> frames(List<byte[]> chunks) {
        QmpClient.MessageAssembler a = new QmpClient.MessageAssembler(1024);
        List<String> out = new ArrayList<>();
        for (byte[] c : chunks) {
            for (byte[] m : a.feed(ByteBuffer.wrap(c))) {
                out.add(new String(m, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static Path script(Path file, String body) throws Exception {
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
