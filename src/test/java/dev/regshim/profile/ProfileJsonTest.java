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
    void aLayoutThatIsNotASizeIsRefusedNamingTheFile() throws Exception {
        Path f = tmp.resolve("p.json");
        ProfileJson.write(withSection(1234L), f);
        Files.writeString(f, Files.readString(f).replace("main fields 1234 bytes", "some\\u0007layout"));
        assertThatThrownBy(() -> ProfileJson.read(f)).isInstanceOf(RegshimException.class)
                .hasMessageStartingWith(f.toString()).hasMessageContaining("is not \"main fields N bytes\"")
                .hasMessageNotContaining("\u0007");
    }
}
