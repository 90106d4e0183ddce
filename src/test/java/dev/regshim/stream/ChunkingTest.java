package dev.regshim.stream;

import dev.regshim.fuzz.StreamShrinker;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The decoder gives the same events whether fed whole, one byte at a time, or in random chunks. */
class ChunkingTest {

    private static final long SEED = Long.getLong("regshim.test.seed", 0x5eed_c0deL);
    private static final int RANDOM_RUNS = 4;

    static List<Fixtures.Fixture> fixtures() {
        return Fixtures.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void oneByteAtATimeEqualsWhole(Fixtures.Fixture f) {
        byte[] small = StreamShrinker.dropZeroPages(f.bytes(), 8);
        for (boolean ignore : new boolean[]{false, true}) {
            String whole = describe(small, 0, ignore);
            assertThat(describe(small, 1, ignore)).as("1-byte chunks, ignoreVmdesc=" + ignore).isEqualTo(whole);
            assertThat(writeChunked(small, 1, ignore)).isEqualTo(small);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void randomChunksEqualWhole(Fixtures.Fixture f) {
        String whole = describe(f.bytes(), 0, false);
        String wholeNoVmdesc = describe(f.bytes(), 0, true);
        long seed = SEED ^ f.name().hashCode();
        for (int run = 0; run < RANDOM_RUNS; run++) {
            long s = seed + run;
            Random rnd = new Random(s);
            int maxChunk = run == 0 ? 16 : 1 << (4 + rnd.nextInt(14));
            boolean ignore = run % 2 == 1;
            StreamSummary.Collector c = new StreamSummary.Collector();
            Codec.decodeRandom(f.bytes(), c, StreamDecoder.builder(c).ignoreVmdesc(ignore), rnd, maxChunk);
            assertThat(Describe.summary(c.summary(), true))
                    .as("seed %d (rerun with -Dregshim.test.seed=%d), max chunk %d", s, SEED, maxChunk)
                    .isEqualTo(ignore ? wholeNoVmdesc : whole);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            StreamWriter w = new StreamWriter(out);
            Codec.decodeRandom(f.bytes(), w, StreamDecoder.builder(w).ignoreVmdesc(ignore), new Random(s), maxChunk);
            assertThat(out.toByteArray()).as("round trip, seed %d", s).isEqualTo(f.bytes());
        }
    }

    private static String describe(byte[] b, int chunk, boolean ignoreVmdesc) {
        StreamSummary.Collector c = new StreamSummary.Collector();
        Codec.decode(b, c, StreamDecoder.builder(c).ignoreVmdesc(ignoreVmdesc), chunk);
        return Describe.summary(c.summary(), true);
    }

    private static byte[] writeChunked(byte[] b, int chunk, boolean ignoreVmdesc) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StreamWriter w = new StreamWriter(out);
        Codec.decode(b, w, StreamDecoder.builder(w).ignoreVmdesc(ignoreVmdesc), chunk);
        return out.toByteArray();
    }
}
