package dev.regshim.util;

import dev.regshim.RegshimException;
import dev.regshim.cli.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Utf8ReaderTest {

    @TempDir
    Path tmp;

    @Test
    void readsValidTextExactlyAsTheJdkDecodesIt() throws IOException {
        Random r = new Random(14);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 40_000; i++) {
            int cp = switch (r.nextInt(4)) {
                case 0 -> 0x20 + r.nextInt(0x5f);
                case 1 -> 0xa0 + r.nextInt(0x700);
                case 2 -> 0x800 + r.nextInt(0xd000 - 0x800);
                default -> 0x10000 + r.nextInt(0x10000);
            };
            b.appendCodePoint(cp);
        }
        String text = b.toString();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int chunk : new int[] {1, 2, 3, 7, 8192}) {
            StringWriter got = new StringWriter();
            try (Utf8Reader in = new Utf8Reader(new ByteArrayInputStream(bytes), "t")) {
                char[] buf = new char[chunk];
                int n;
                while ((n = in.read(buf, 0, chunk)) >= 0) {
                    got.write(buf, 0, n);
                }
            }
            assertThat(got.toString()).as("chunk %d", chunk).isEqualTo(text);
        }
    }

    @Test
    void aBadSequenceNamesTheSourceAndItsByteOffset() {
        byte[] bytes = new byte[20_000];
        java.util.Arrays.fill(bytes, (byte) 'a');
        bytes[12_345] = (byte) 0xff;
        assertThatThrownBy(() -> new BufferedReader(new Utf8Reader(new ByteArrayInputStream(bytes), "f.txt"))
                .lines().count()).isInstanceOf(RegshimException.class)
                .hasMessage("f.txt: invalid UTF-8 at byte offset 12345");
        byte[] truncated = {'a', 'b', (byte) 0xe2, (byte) 0x82};
        assertThatThrownBy(() -> new BufferedReader(new Utf8Reader(new ByteArrayInputStream(truncated), "g"))
                .lines().count()).hasMessage("g: invalid UTF-8 at byte offset 2");
    }

    @Test
    void fleetFilesAndRegisterListsWithInvalidUtf8FailInOneLine() throws IOException {
        Path fleet = Files.write(tmp.resolve("fleet.txt"), new byte[] {'a', '=', 'k', '\n', (byte) 0xc3, '(', '\n'});
        Cli.Run r = Cli.run("plan", "--fleet", fleet.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("regshim: " + fleet + ": invalid UTF-8 at byte offset 4" + System.lineSeparator());
        Path list = Files.write(tmp.resolve("regs.txt"), new byte[] {'S', 'C', 'T', 'L', 'R', '_', 'E', 'L', '1', '\n',
            (byte) 0x80});
        Cli.Run p = Cli.run("regs", "parse", "-f", list.toString());
        assertThat(p.exit()).isEqualTo(2);
        assertThat(p.err()).contains(list + ": invalid UTF-8 at byte offset 10").doesNotContain("Input length");
        Path empty = Files.write(tmp.resolve("empty.txt"), new byte[] {'#', '\n'});
        Cli.Run e = Cli.run("regs", "parse", "-f", empty.toString());
        assertThat(e.exit()).isEqualTo(2);
        assertThat(e.err()).isEqualTo("regshim: " + empty + ": no registers in the file" + System.lineSeparator());
    }
}
