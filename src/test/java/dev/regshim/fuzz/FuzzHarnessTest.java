package dev.regshim.fuzz;

import dev.regshim.cli.CliFuzzTarget;
import dev.regshim.cli.DirectFuzzTarget;
import dev.regshim.stream.Fixtures;
import dev.regshim.stream.StreamLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every reader of untrusted input, fuzzed: at least 20,000 seeded cases per kind calling the reader its command calls
 * ({@link DirectFuzzTarget}; {@code -Dregshim.fuzz.kindCases} for more), and a smaller sample through the whole CLI
 * ({@code -Dregshim.fuzz.cliCases}), where file naming, exit codes and printing are the CLI's own. Each case is under
 * 5 s, none with a stack trace, an internal error or an unsafe error line, and every error names the file. A failure
 * names its case seed: replay with {@code regshim fuzz --kind KIND [--cli] --case SEED STREAMS}. The direct campaigns
 * run last, on {@code -Dregshim.fuzz.threads} threads (default: up to 2), one kind per thread at a time.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FuzzHarnessTest {

    private static final long SEED = Long.getLong("regshim.fuzz.seed", 20_261_203L);
    private static final int CASES = Integer.getInteger("regshim.fuzz.kindCases", 20_000);
    private static final int CLI_CASES = Integer.getInteger("regshim.fuzz.cliCases", 200);
    private static final int THREADS = Integer.getInteger("regshim.fuzz.threads",
            Math.min(2, Runtime.getRuntime().availableProcessors()));
    /** The smallest fixtures, shrunk: every case reads its whole input. */
    private static final int CORPUS = 3;
    private static Path scratch;
    private static Map<String, FuzzKind> kinds;
    private static final CliFuzzTarget CLI = new CliFuzzTarget();
    private static final DirectFuzzTarget DIRECT = new DirectFuzzTarget();
    private static ExecutorService pool;
    private static Map<String, Future<FuzzHarness.Report>> campaigns;

    @BeforeAll
    static void corpus() throws IOException {
        scratch = FuzzHarness.scratchDirectory();
        List<byte[]> streams = Fixtures.all().stream().map(f -> StreamShrinker.dropPages(f.bytes(), 4, 1))
                .sorted(Comparator.comparingInt(b -> b.length)).limit(CORPUS).toList();
        kinds = FuzzKinds.standard(streams, CLI, scratch, List.of());
    }

    @AfterAll
    static void clean() throws IOException {
        if (pool != null) {
            pool.shutdownNow();
        }
        try (Stream<Path> s = Files.walk(scratch)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static List<String> kindNames() {
        return FuzzKinds.NAMES;
    }

    private static long seedOf(String kind) {
        return SEED + FuzzKinds.NAMES.indexOf(kind);
    }

    /** Every kind's direct campaign, started on the first call, each in its own scratch directory. */
    private static synchronized Future<FuzzHarness.Report> campaign(String kind) {
        if (campaigns == null) {
            pool = Executors.newFixedThreadPool(THREADS, r -> {
                Thread t = new Thread(r, "fuzz-campaign");
                t.setDaemon(true);
                return t;
            });
            campaigns = new LinkedHashMap<>();
            for (String k : FuzzKinds.NAMES) {
                campaigns.put(k, pool.submit(() -> {
                    Path dir = Files.createDirectory(scratch.resolve("direct-" + k));
                    return new FuzzHarness(DIRECT, dir).run(kinds.get(k), seedOf(k), CASES, null);
                }));
            }
        }
        return campaigns.get(kind);
    }

    @Order(2)
    @ParameterizedTest(name = "{0}")
    @MethodSource("kindNames")
    void everyKindSurvivesASampleThroughTheCli(String kind) {
        FuzzHarness.Report r = new FuzzHarness(CLI, scratch).run(kinds.get(kind), seedOf(kind), CLI_CASES, null);
        check(kind, "cli", r, CLI_CASES);
    }

    @Order(3)
    @ParameterizedTest(name = "{0}")
    @MethodSource("kindNames")
    void everyKindSurvivesTheCampaign(String kind) throws Exception {
        check(kind, "direct", campaign(kind).get(), CASES);
    }

    private static void check(String kind, String target, FuzzHarness.Report r, int cases) {
        System.out.printf(java.util.Locale.ROOT, "fuzz %s (%s): seed %d, %d cases: exit 0 %d, exit 1 %d, exit 2 %d, "
                        + "%d failures, slowest %d ms, most allocated %d KiB, %.0f cases per CPU second%n", kind, target,
                r.seed(), r.cases(), r.exit0(), r.exit1(), r.exit2(), r.failed(), r.maxCaseMillis(),
                r.maxCaseAllocation() >> 10, r.casesPerCpuSecond());
        assertThat(r.failures()).as("run seed %d", r.seed()).isEmpty();
        assertThat(r.cases()).isEqualTo(cases);
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

    @Order(1)
    @Test
    void aHangIsReportedWithItsSeedAndTheRunGoesOn() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        FuzzTarget hangsOnThird = args -> {
            if (calls.incrementAndGet() == 3) {
                while (true) {
                    Thread.onSpinWait();
                }
            }
            return new FuzzTarget.Outcome(2, "", "regshim: " + args.get(0) + ": refused\n");
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

    @Order(1)
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

    @Order(1)
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

    @Order(1)
    @Test
    void anErrorThatDoesNotNameTheFileIsAFailure() {
        Path f = Path.of("/tmp/x/case.fleet");
        assertThat(FuzzHarness.classify(new FuzzTarget.Outcome(2, "", "regshim: /tmp/x/case.fleet line 2: bad\n"), f))
                .isNull();
        assertThat(FuzzHarness.classify(new FuzzTarget.Outcome(2, "", "regshim: bad kernel version '6.'\n"), f))
                .startsWith("the error does not name the file case.fleet");
        assertThat(FuzzHarness.classify(new FuzzTarget.Outcome(0, "", ""), f)).isNull();
    }

    @Order(1)
    @Test
    void theDirectTargetAnswersAsTheCliDoes() throws IOException {
        // same exit code, and on exit 2 the same error line, for every kind: it calls what the commands call
        Path dir = Files.createDirectory(scratch.resolve("same"));
        for (String name : FuzzKinds.NAMES) {
            FuzzKind k = kinds.get(name);
            Path file = dir.resolve("case" + k.suffix());
            assertThat(DirectFuzzTarget.isDirect(k.command(file))).as(name).isTrue();
            for (int i = 0; i < 40; i++) {
                long caseSeed = MutationFuzzer.caseSeed(99, i);
                Files.write(file, k.input(new Random(caseSeed), new StringBuilder()));
                FuzzTarget.Outcome cli = CLI.run(k.command(file));
                FuzzTarget.Outcome direct = DIRECT.run(k.command(file));
                assertThat(direct.exit()).as("%s case %d: %s", name, caseSeed, cli.err()).isEqualTo(cli.exit());
                if (cli.exit() == 2) {
                    assertThat(direct.err()).as("%s case %d", name, caseSeed).isEqualTo(cli.err());
                }
            }
        }
        FuzzTarget.Outcome boom = DIRECT.run(List.of("explain", "/nonexistent/dir/case.log"));
        assertThat(boom.exit()).isEqualTo(2);
        assertThat(boom.err()).isEqualTo("regshim: no such file: /nonexistent/dir/case.log\n");
        assertThat(DirectFuzzTarget.isDirect(List.of("inspect", "--json", "f"))).isFalse();
    }

    @Order(1)
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
