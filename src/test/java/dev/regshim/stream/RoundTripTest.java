package dev.regshim.stream;

import dev.regshim.fuzz.StreamShrinker;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** write(read(s)) == s for every real stream, through every entry point. */
class RoundTripTest {

    @TempDir
    Path tmp;

    static List<Fixtures.Fixture> fixtures() {
        return Fixtures.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void writeOfReadIsByteExact(Fixtures.Fixture f) {
        assertThat(Codec.roundTrip(f.bytes(), 0)).isEqualTo(f.bytes());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void identityTransformOfFileAndOfStreamIsByteExact(Fixtures.Fixture f) throws IOException {
        Path file = Fixtures.toFile(tmp, f);
        ByteArrayOutputStream viaFile = new ByteArrayOutputStream();
        TransformResult r1 = StreamTransformer.of(StreamTransformer.identity()).transform(file, viaFile);
        ByteArrayOutputStream viaStream = new ByteArrayOutputStream();
        TransformResult r2 = StreamTransformer.of(StreamTransformer.identity())
                .transform(new ByteArrayInputStream(f.bytes()), viaStream);
        assertThat(viaFile.toByteArray()).isEqualTo(f.bytes());
        assertThat(viaStream.toByteArray()).isEqualTo(f.bytes());
        assertThat(r1).isEqualTo(r2);
        assertThat(r1.bytesIn()).isEqualTo(f.bytes().length);
        assertThat(r1.bytesOut()).isEqualTo(f.bytes().length);
        assertThat(r1.unchanged()).isTrue();
        assertThat(r1.vmdescPresent()).isTrue();
        assertThat(r1.cpuSections()).isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void roundTripWithoutVmdescIsByteExact(Fixtures.Fixture f) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StreamWriter w = new StreamWriter(out);
        Codec.decode(f.bytes(), w, StreamDecoder.builder(w).ignoreVmdesc(true), 0);
        assertThat(out.toByteArray()).isEqualTo(f.bytes());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void shrunkStreamsStayValid(Fixtures.Fixture f) {
        byte[] small = StreamShrinker.dropZeroPages(f.bytes(), 3);
        assertThat(small.length).isLessThan(f.bytes().length / 3);
        assertThat(Codec.roundTrip(small, 0)).isEqualTo(small);
        StreamSummary a = Codec.summary(f.bytes(), 0);
        StreamSummary b = Codec.summary(small, 0);
        assertThat(b.cpus()).hasSameSizeAs(a.cpus());
        for (int i = 0; i < a.cpus().size(); i++) {
            assertThat(b.cpus().get(i).encodeBody()).isEqualTo(a.cpus().get(i).encodeBody());
        }
        assertThat(b.dataPages()).isEqualTo(a.dataPages());
    }
}
