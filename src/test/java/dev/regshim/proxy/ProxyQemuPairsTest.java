package dev.regshim.proxy;

import dev.regshim.lab.guest.Continuity;
import dev.regshim.lab.guest.SerialLog;
import dev.regshim.policy.Policy;
import dev.regshim.policy.Refusal;
import dev.regshim.policy.RewriteOptions;
import dev.regshim.qemu.IncomingResult;
import dev.regshim.qemu.MigrationResult;
import dev.regshim.qemu.QemuProcess;
import dev.regshim.rewrite.StreamRewriter;
import dev.regshim.testing.CounterGuest;
import dev.regshim.testing.SerialLogs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.regshim.proxy.QemuRig.config;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live migrations of a running guest (the counter program) between two real QEMUs through the proxy, table-driven
 * over pairs of configurations with different register sets. For every pair the proxy must decide what
 * {@code regshim rewrite} decides offline for a stream the same source saved moments before; when it passes, the
 * guest keeps counting on the destination with its registers intact, and the same pair migrated directly fails.
 */
@Tag("qemu")
class ProxyQemuPairsTest {

    private static final Map<String, Boolean> RETURN_PATH = Map.of("return-path", true);
    private static QemuRig rig;

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    /**
     * A source and destination configuration; {@code passes} is what the rules are expected to decide (null for a
     * random pair: whatever the offline rewriter decides).
     */
    record Pair(String source, String destination, int smp, Boolean passes) {
        @Override
        public String toString() {
            return source + " -> " + destination + (smp > 1 ? " (smp " + smp + ")" : "");
        }
    }

    static Stream<Pair> pairs() {
        return Stream.of(
                new Pair("max,pauth=off", "max", 1, true),
                new Pair("max,sve=off", "max", 1, true),
                new Pair("max", "max,pauth=off", 1, false),
                new Pair("cortex-a57", "cortex-a72", 1, true),
                new Pair("cortex-a72", "cortex-a57", 1, false),
                new Pair("max,pauth=off", "max", 2, true),
                new Pair("cortex-a57", "max", 2, false),
                new Pair("max", "max", 1, true));
    }

    static Stream<Pair> differingPairsThatPass() {
        return pairs().filter(p -> p.passes() && !p.source().equals(p.destination()));
    }

    /**
     * Pairs no test names: a seeded draw of CPU models and variants ({@code -Dregshim.proxy.pairs=N}, default 2;
     * {@code -Dregshim.fidelity.seed=S} to replay), each run through the same checks.
     */
    @Test
    void randomPairsBehaveAsTheOfflineRewriterDecides() throws Exception {
        long seed = dev.regshim.testing.RandomConfigs.seed(11);
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        List<String> cpus = java.util.Arrays.stream(dev.regshim.testing.RandomConfigs.CPUS)
                .filter(c -> !c.startsWith("cortex-a15") && !c.startsWith("cortex-a7")).toList();
        int n = Integer.getInteger("regshim.proxy.pairs", 2);
        int done = 0;
        for (int i = 0; done < n && i < n * 10; i++) {
            String a = cpus.get(r.nextInt(cpus.size()));
            String base = a.contains(",") ? a.substring(0, a.indexOf(',')) : a;
            List<String> family = cpus.stream().filter(c -> c.equals(base) || c.startsWith(base + ",")).toList();
            String b = r.nextBoolean() && family.size() > 1 ? family.get(r.nextInt(family.size()))
                    : cpus.get(r.nextInt(cpus.size()));
            Pair pair = new Pair(a, b, 1, null);
            try {
                rig.profile(config(a, 1));
                rig.profile(config(b, 1));
            } catch (dev.regshim.qemu.QemuException e) {
                continue; // a model this QEMU does not have (7.2 has no neoverse-n2): draw again
            }
            done++;
            System.out.println("seed " + seed + ": random proxy pair " + pair);
            Path dir = tmp.resolve("random-" + i);
            java.nio.file.Files.createDirectories(dir);
            run(pair, dir);
        }
        assertThat(done).as("seed %d: pairs this QEMU could start", seed).isEqualTo(n);
    }

    @BeforeAll
    static void setUp() {
        rig = new QemuRig(shared);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void theProxyDecidesAsTheOfflineRewriterAndTheGuestKeepsCounting(Pair pair) throws Exception {
        run(pair, tmp);
    }

    private static void run(Pair pair, Path tmp) throws Exception {
        List<String> src = config(pair.source(), pair.smp());
        List<String> dst = config(pair.destination(), pair.smp());
        RewriteOptions options = ProxyTesting.options(ProxyTesting.profile(rig.profile(dst)), Policy.STRICT);
        Path srcLog = tmp.resolve("src.serial");
        Path dstLog = tmp.resolve("dst.serial");
        try (QemuProcess source = rig.source(src, srcLog);
             QemuProcess destination = rig.destination(dst, dstLog, Map.of())) {
            Path saved = QemuRig.saveAndContinue(source, tmp.resolve("saved.mig"));
            StreamRewriter.Result offline = StreamRewriter.rewrite(saved, tmp.resolve("offline.mig"), options);
            if (pair.passes() != null) {
                assertThat(offline.written()).as("offline decision for " + pair + ": " + offline.refusal())
                        .isEqualTo(pair.passes());
            }

            try (ProxyTesting.Running proxy = ProxyTesting.Running.start(
                    ProxyTesting.proxyOptions(destination.incomingPort(), options))) {
                MigrationResult m = QemuRig.migrate(source, proxy.port(), RETURN_PATH);
                SessionResult r = proxy.single(30);
                if (offline.written()) {
                    assertThat(r.outcome()).as(r.reason()).isEqualTo(SessionResult.Outcome.LOADED);
                    assertThat(m.status()).isEqualTo("completed");
                    assertThat(source.queryStatus()).isEqualTo("postmigrate");
                    IncomingResult in = QemuRig.incoming(destination);
                    assertThat(in.loaded()).as(in.summary()).isTrue();
                    assertThat(in.runState()).isEqualTo("running");
                    assertThat(r.vcpus()).hasSize(pair.smp());
                    assertThat(r.registersChanged()).isEqualTo(offline.plan().vcpus().stream()
                            .mapToInt(v -> v.changes().size()).sum());
                    assertThat(r.checks()).anyMatch(c -> c.contains("arrays exactly as planned"));
                    SerialLogs.awaitLines(dstLog, QemuRig.LINES, QemuRig.TIMEOUT);
                    destination.stop();
                    Continuity.Report c = Continuity.check(srcLog, dstLog, true);
                    assertThat(c.ok()).as(c.problem()).isTrue();
                    assertThat(c.destinationFirst()).isEqualTo(c.sourceLast() + 1);
                    assertThat(SerialLog.read(dstLog).lines()).allSatisfy(
                            l -> assertThat(CounterGuest.hasProgramValues(l)).as(l.registers()).isTrue());
                } else {
                    assertThat(r.outcome()).isEqualTo(SessionResult.Outcome.FAILED);
                    assertThat(r.fault()).isEqualTo(Fault.REFUSED);
                    assertThat(refusedIds(r.vcpus().get(0).refusals()))
                            .isEqualTo(refusedIds(offline.plan().vcpus().get(0).refusals()));
                    assertThat(m.status()).isEqualTo("failed");
                    assertThat(source.queryStatus()).as("the VM runs on at the source").isEqualTo("running");
                    IncomingResult in = QemuRig.incoming(destination);
                    assertThat(in.loaded()).as("the destination got nothing usable: " + in.summary()).isFalse();
                    int before = SerialLog.read(srcLog).lines().size();
                    SerialLogs.awaitLines(srcLog, before + 2, QemuRig.TIMEOUT);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("differingPairsThatPass")
    void theSamePairMigratedDirectlyFails(Pair pair) {
        List<String> src = config(pair.source(), pair.smp());
        List<String> dst = config(pair.destination(), pair.smp());
        try (QemuProcess source = rig.source(src, tmp.resolve("src.serial"));
             QemuProcess destination = rig.destination(dst, tmp.resolve("dst.serial"), Map.of())) {
            MigrationResult m = QemuRig.migrate(source, destination.incomingPort(), RETURN_PATH);
            IncomingResult in = QemuRig.incoming(destination);
            System.out.println("direct " + pair + ": source " + m.status() + " (" + m.errorDesc() + "), destination "
                    + in.summary());
            assertThat(in.loaded()).isFalse();
            assertThat(in.errorLines()).contains("error while loading state for instance 0x0 of device 'cpu'");
            assertThat(m.status()).isEqualTo("failed");
            assertThat(source.queryStatus()).isEqualTo("running");
        }
    }

    private static List<String> refusedIds(List<Refusal> refusals) {
        return refusals.stream().map(f -> f.id().hex()).sorted().toList();
    }

    static Duration timeout() {
        return QemuRig.TIMEOUT;
    }
}
