package dev.regshim.util;

import dev.regshim.cli.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class TextTest {

    @TempDir
    Path tmp;

    @Test
    void controlCharactersAreEscapedInOneStyle() {
        assertThat(Text.escape("a\u0000b\u001b[31mc\r\nd\u007f\u0085e")).isEqualTo("a\\x00b\\x1b[31mc\\x0d\\x0ad\\x7f\\x85e");
        assertThat(Text.escape("plain ünïcode")).isEqualTo("plain ünïcode");
        assertThat(Text.safe("x\ny", 10)).isEqualTo("x\\x0ay");
    }

    @Test
    void errorLinesAreOneBoundedLineKeepingBothEnds() {
        String longName = "/data/" + "d".repeat(1000) + "/vm.save";
        String line = Text.errorLine("regshim: ", longName + ": cannot read: Permission denied");
        assertThat(line).hasSizeLessThanOrEqualTo(Text.MAX_ERROR_LINE).startsWith("regshim: /data/ddd")
                .contains(" ... ").endsWith("cannot read: Permission denied");
        String hostile = Text.errorLine("regshim: ", "\u001b]0;pwned\u0007" + "\n".repeat(300) + "end");
        assertThat(hostile).hasSizeLessThanOrEqualTo(Text.MAX_ERROR_LINE).doesNotContain("\n", "\u001b", "\u0007")
                .startsWith("regshim: \\x1b]0;pwned\\x07\\x0a").endsWith("\\x0aend");
        assertThat(hostile).doesNotContainPattern("\\\\x?[0-9a-f]?\\s\\.\\.\\.") // no escape cut in half
                .matches(l -> !l.replace(" ... ", "").matches(".*\\\\x[0-9a-f]?$"));
        assertThat(Text.errorLine("regshim: ", "short")).isEqualTo("regshim: short");
    }

    @Test
    void theCliPrintsHostileErrorsAsOneSafeLine() throws IOException {
        String name = "EVIL\u001b[2J\u0000" + "X".repeat(1500);
        Path list = Files.writeString(tmp.resolve("regs.txt"), name + "\n", StandardCharsets.UTF_8);
        Cli.Run r = Cli.run("regs", "parse", "-f", list.toString());
        assertThat(r.exit()).isEqualTo(2);
        String err = r.err().stripTrailing();
        assertThat(err.lines()).hasSize(1);
        assertThat(err).hasSizeLessThanOrEqualTo(Text.MAX_ERROR_LINE).doesNotContain("\u001b", "\u0000")
                .contains("\\x1b[2J\\x00");
    }
}
