package dev.regshim.stream;

import dev.regshim.fuzz.MutationFuzzer;
import dev.regshim.fuzz.StreamShrinker;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded mutation fuzzing over the real fixtures, in the normal suite. Every mutated stream must be either accepted
 * and re-encoded byte for byte, or rejected with a one-line error naming the offset. A failure prints the case seed;
 * replay it with {@code regshim fuzz --case SEED <the fixtures>} or {@code -Dregshim.fuzz.seed}.
 */
class FuzzTest {

    private static final long SEED = Long.getLong("regshim.fuzz.seed", 20_261_125L);
    private static final int SHRUNK_CASES = Integer.getInteger("regshim.fuzz.cases", 24_000);
    private static final int FULL_SIZE_CASES = 600;

    private static List<MutationFuzzer.Input> corpus(boolean shrink) {
        List<MutationFuzzer.Input> c = new ArrayList<>();
        for (Fixtures.Fixture f : Fixtures.all()) {
            c.add(new MutationFuzzer.Input(f.name(), shrink ? StreamShrinker.dropZeroPages(f.bytes(), 4) : f.bytes()));
        }
        return c;
    }

    @Test
    void shrunkFixtures() {
        MutationFuzzer.Report r = new MutationFuzzer(corpus(true), StreamLimits.defaults())
                .run(SEED, SHRUNK_CASES, null);
        assertThat(r.failures()).as("run seed %d", SEED).isEmpty();
        assertThat(r.accepted() + r.rejected()).isEqualTo(SHRUNK_CASES);
        assertThat(r.rejected()).as("most mutations hit structure").isGreaterThan(SHRUNK_CASES / 2);
        assertThat(r.accepted()).as("some mutations only change data").isPositive();
    }

    @Test
    void fullSizeFixtures() {
        MutationFuzzer.Report r = new MutationFuzzer(corpus(false), StreamLimits.defaults())
                .run(SEED + 1, FULL_SIZE_CASES, null);
        assertThat(r.failures()).as("run seed %d", SEED + 1).isEmpty();
    }

    @Test
    void tightLimits() {
        StreamLimits tight = StreamLimits.builder().maxCpregCount(64).maxBufferedDeviceBytes(8192)
                .maxVmdescBytes(4096).maxNameLength(16).maxRamBlocks(4).maxSubsectionDepth(2).build();
        MutationFuzzer.Report r = new MutationFuzzer(corpus(true), tight).run(SEED + 2, 2_000, null);
        assertThat(r.failures()).as("run seed %d", SEED + 2).isEmpty();
    }
}
