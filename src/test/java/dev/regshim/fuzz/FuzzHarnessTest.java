package dev.regshim.fuzz;

import dev.regshim.cli.CliFuzzTarget;
import dev.regshim.stream.Fixtures;
import dev.regshim.stream.StreamLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every reader of untrusted input, fuzzed through the real CLI: at least 20,000 seeded cases per kind (set
 * {@code -Dregshim.fuzz.kindCases} for more), each under 5 s, none with a stack trace, an internal error or an unsafe
 * error line. A failure names its case seed: replay with {@code regshim fuzz --kind KIND --case SEED STREAMS}.
 */
class FuzzHarnessTest {

    private static final long SEED = Long.getLong("regshim.fuzz.seed", 20_261_203L);
    private static final int CASES = Integer.getInteger("regshim.fuzz.kindCases", 200);
    /** The smallest fixtures, shrunk: every case reads its whole input through the CLI. */
    private static final int CORPUS = 3;
    private static Path scratch;
    private static Map<String, FuzzKind> kinds;
    private static final CliFuzzTarget CLI = new CliFuzzTarget();

    @BeforeAll
    static void corpus() throws IOException {
        scratch = FuzzHarness.scratchDirectory();
        List<byte[]> streams = Fixtures.all().stream().map(f -> StreamShrinker.dropZeroPages(f.bytes(), 4))
                .sorted(Comparator.comparingInt(b -> b.length)).limit(CORPUS).toList();
        kinds = FuzzKinds.standard(streams, CLI, scratch, List.of());
    }

    @AfterAll
    static void clean() throws IOException {
        try (Stream<Path> s = Files.walk(scratch)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static List<String> kindNames() {
        return FuzzKinds.NAMES;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kindNames")
    void everyKindSurvivesTheCampaign(String kind) {
        long seed = SEED + FuzzKinds.NAMES.indexOf(kind);
        FuzzHarness.Report r = new FuzzHarness(CLI, scratch).run(kinds.get(kind), seed, CASES, null);
        System.out.printf("fuzz %s: seed %d, %d cases: exit 0 %d, exit 1 %d, exit 2 %d, %d failures, slowest %d ms, "
                        + "most allocated %d KiB%n", kind, seed, r.cases(), r.exit0(), r.exit1(), r.exit2(), r.failed(),
                r.maxCaseMillis(), r.maxCaseAllocation() >> 10);
        assertThat(r.failures()).as("run seed %d", seed).isEmpty();
        assertThat(r.cases()).isEqualTo(CASES);
        assertThat(r.maxCaseMillis()).isLessThan(FuzzHarness.CASE_TIME_LIMIT_MS);
        if (kind.equals("qemu-log")) {
            // any text is a log: explained (0) or nothing recognised (1), never an input error
            assertThat(r.exit0()).as("mutated logs still explained").isPositive();
            assertThat(r.exit1()).as("mutated logs no longer recognised").isPositive();
            return;
        }
        assertThat(r.exit2()).as("mutations are refused").isPositive();
        if (!kind.equals("lzop")) {
            assertThat(r.exit0() + r.exit1()).as("some mutations still read").isPositive();
        }
    }

    @Test
    void aHangIsReportedWithItsSeedAndTheRunGoesOn() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        FuzzTarget hangsOnThird = args -> {
            if (calls.incrementAndGet() == 3) {
                while (true) {
                    Thread.onSpinWait();
                }
            }
            return new FuzzTarget.Outcome(2, "", "regshim: refused\n");
        };
        FuzzKind k = FuzzKind.of("t", ".bin", List.of(new byte[] {1, 2, 3}), FuzzKind.Mutator.BINARY, List.of("{}"));
        FuzzHarness.Report r = new FuzzHarness(hangsOnThird, scratch, 300).run(k, 5, 10, null);
        assertThat(r.cases()).isEqualTo(10);
        assertThat(r.exit2()).isEqualTo(9);
        assertThat(r.failures()).singleElement().satisfies(f -> {
            assertThat(f.caseSeed()).isEqualTo(MutationFuzzer.caseSeed(5, 2));
            assertThat(f.problem()).isEqualTo("no answer within 300 ms (a hang)");
        });
    }

    @Test
    void aThrowingTargetIsAFailureNotACrash() throws IOException {
        FuzzTarget throwsAlways = args -> {
            throw new IllegalStateException("boom");
        };
        FuzzKind k = FuzzKind.of("t", ".bin", List.of(new byte[] {1}), FuzzKind.Mutator.BINARY, List.of("{}"));
        FuzzHarness.Report r = new FuzzHarness(throwsAlways, scratch).run(k, 1, 30, null);
        assertThat(r.failed()).isEqualTo(30);
        assertThat(r.failures().get(0).problem()).startsWith("the case threw java.lang.IllegalStateException: boom");
    }

    @Test
    void outcomesAreClassifiedAsTheIssueAsks() {
        assertThat(FuzzHarness.classify(new FuzzTarget.Outcome(0, "ok\n", ""))).isNull();
        assertThat(FuzzHarness.classify(new FuzzTarget.Outcome(1, "differs\n", ""))).isNull();
        assertThat(FuzzHarness.classify(new FuzzTarget.Outcome(2, "", "regshim: f: offset 8: bad\n"))).isNull();
        assertThat(FuzzHarness.classify(new FuzzTarget.Outcome(3, "", "regshim: internal error: x\n")))
                .startsWith("internal error");
        assertThat(FuzzHarness.classify(new FuzzTarget.Outcome(2, "", "regshim: a\nregshim: b\n")))
                .contains("2 lines");
        assertThat(FuzzHarness.classify(new FuzzTarget.Outcome(2, "", "regshim: " + "x".repeat(300) + "\n")))
                .startsWith("error line of 309 characters");
        assertThat(FuzzHarness.classify(new FuzzTarget.Outcome(2, "", "regshim: \u001b[2J\n")))
                .startsWith("control character \\x1b");
        assertThat(FuzzHarness.classify(new FuzzTarget.Outcome(0, "name \u0000\n", "")))
                .endsWith("on standard output");
        assertThat(FuzzHarness.classify(new FuzzTarget.Outcome(2, "", "java.lang.X: y\n\tat a.b(C.java:1)\n")))
                .startsWith("stack trace");
    }

    @Test
    void theFuzzersOwnCrashReproducersAreCasesAgain() {
        List<MutationFuzzer.Input> corpus = Fixtures.all().stream()
                .map(f -> new MutationFuzzer.Input(f.name(), StreamShrinker.dropZeroPages(f.bytes(), 4))).toList();
        MutationFuzzer f = new MutationFuzzer(corpus, StreamLimits.defaults());
        assertThat(f.runCase(7_948_372_336_972_030_758L)).isNotInstanceOf(MutationFuzzer.Failure.class);
        Random rnd = new Random(1);
        for (int i = 0; i < 10_000; i++) { // emptied arrays are mutated again without a fault
            byte[] b = MutationFuzzer.mutate(new byte[rnd.nextInt(2)], rnd, new StringBuilder());
            assertThat(b).isNotNull();
        }
    }
}
