package dev.regshim.profile;

import dev.regshim.RegshimException;
import dev.regshim.regs.CpregArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProfileJsonTest {

    @TempDir
    Path tmp;

    private static Profile withSection(Long mainFieldBytes) {
        return new Profile(Provenance.of("stream", "x"), "virt-10.0", 4096, List.of(),
                List.of(new Profile.SectionRef("gicv3", 0, 3, mainFieldBytes, 5, null)),
                List.of(new Profile.Vcpu(0, CpregArray.of(new long[]{0x603000000013c103L}, new long[]{7}))), true, false);
    }

    @Test
    void aSectionsLayoutIsItsMainFieldBytesAndReadsBackAsTheNumber() throws Exception {
        Path f = tmp.resolve("p.json");
        ProfileJson.write(withSection(1234L), f);
        assertThat(Files.readString(f)).contains("\"layout\" : \"main fields 1234 bytes\"");
        assertThat(ProfileJson.read(f).sections().get(0).mainFieldBytes()).isEqualTo(1234L);
        ProfileJson.write(withSection(null), f);
        assertThat(Files.readString(f)).doesNotContain("layout");
        assertThat(ProfileJson.read(f).sections().get(0).mainFieldBytes()).isNull();
    }

    @Test
    void controlCharactersInAProfilesSourceAreEscapedWhereverItIsSummarised() throws Exception {
        // fuzz finding: profile show printed a "source" holding \u0000 or DEL raw on standard output
        Path f = tmp.resolve("p.json");
        ProfileJson.write(withSection(1234L), f);
        Files.writeString(f, Files.readString(f).replace("\"source\" : \"x\"", "\"source\" : \"x\\u0000\\u001b[2J\\u007f\""));
        Profile p = ProfileJson.read(f);
        assertThat(p.provenance().summary()).isEqualTo("stream x\\x00\\x1b[2J\\x7f");
        dev.regshim.cli.Cli.Run r = dev.regshim.cli.Cli.run("profile", "show", f.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("x\\x00\\x1b[2J\\x7f").doesNotContain("\u0000").doesNotContain("\u001b")
                .doesNotContain("\u007f");
    }

    @Test
    void aLayoutThatIsNotASizeIsRefusedNamingTheFile() throws Exception {
        Path f = tmp.resolve("p.json");
        ProfileJson.write(withSection(1234L), f);
        Files.writeString(f, Files.readString(f).replace("main fields 1234 bytes", "some\\u0007layout"));
        assertThatThrownBy(() -> ProfileJson.read(f)).isInstanceOf(RegshimException.class)
                .hasMessageStartingWith(f.toString()).hasMessageContaining("is not \"main fields N bytes\"")
                .hasMessageNotContaining("\u0007");
    }
}
