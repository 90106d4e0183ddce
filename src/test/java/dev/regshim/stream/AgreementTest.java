package dev.regshim.stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two ways of walking device sections agree on every real stream: with the vmdesc's field sizes, and without it
 * (cpu by its known layout, other devices up to their footer). And a file (trailer read first) reads the same as a
 * pipe (device state buffered until the trailer).
 */
class AgreementTest {

    @TempDir
    Path tmp;

    static List<Fixtures.Fixture> fixtures() {
        return Fixtures.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void vmdescAndLayoutWalksAgree(Fixtures.Fixture f) throws IOException {
        StreamSummary withVmdesc = StreamReader.summarize(new ByteArrayInputStream(f.bytes()), ReadOptions.defaults());
        StreamSummary byLayout = StreamReader.summarize(new ByteArrayInputStream(f.bytes()),
                ReadOptions.defaults().withIgnoreVmdesc(true));
        assertThat(withVmdesc.sections()).allMatch(s -> s.method() == null
                || s.method() == DeviceSection.WalkMethod.VMDESC);
        assertThat(byLayout.sections()).filteredOn(s -> "cpu".equals(s.idstr()))
                .allMatch(s -> s.method() == DeviceSection.WalkMethod.CPU_LAYOUT);
        assertThat(Describe.summary(byLayout, false)).isEqualTo(Describe.summary(withVmdesc, false));
        assertThat(withVmdesc.cpus()).isNotEmpty();
        for (int i = 0; i < withVmdesc.cpus().size(); i++) {
            CpuSection a = withVmdesc.cpus().get(i);
            CpuSection b = byLayout.cpus().get(i);
            assertThat(b.sameContent(a)).isTrue();
            assertThat(b.subsectionNames()).isEqualTo(a.subsectionNames());
            assertThat(Describe.cpu(b)).isEqualTo(Describe.cpu(a));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void fileWithTrailerReadFirstEqualsPipe(Fixtures.Fixture f) throws IOException {
        Path file = Fixtures.toFile(tmp, f);
        StreamSummary viaFile = StreamReader.summarize(file, ReadOptions.defaults().withChunkBytes(4096));
        StreamSummary viaPipe = StreamReader.summarize(new ByteArrayInputStream(f.bytes()), ReadOptions.defaults());
        assertThat(Describe.summary(viaFile, true)).isEqualTo(Describe.summary(viaPipe, true));
        try (var ch = java.nio.channels.FileChannel.open(file)) {
            Vmdesc ahead = StreamReader.readTrailer(ch, StreamLimits.defaults()).orElseThrow();
            assertThat(ahead.raw()).isEqualTo(viaPipe.vmdesc().raw());
            assertThat(ahead.offset()).isEqualTo(viaPipe.vmdesc().offset());
        }
    }
}
