package dev.regshim.check;

import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.DestinationRelease;
import dev.regshim.cpreg.KvmValueRule;
import dev.regshim.cpreg.LoadSettings;
import dev.regshim.cpreg.QemuRelease;
import dev.regshim.cpreg.Semantics;
import dev.regshim.profile.Profile;
import dev.regshim.profile.source.ProfileSources;
import dev.regshim.qemu.IncomingResult;
import dev.regshim.qemu.QemuBinary;
import dev.regshim.qemu.QemuException;
import dev.regshim.testing.QemuTestSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streams saved by real QEMU 7.2, 10.0 and 11.1 loaded by each of the others, in all six directions, with the same
 * configuration on both ends (the fleet upgrade: a guest keeps its machine type while QEMU changes under it). The
 * destination profile is a stream the destination QEMU saved itself. Given the destination's release ({@code
 * --to-qemu}), the model must print every line QEMU prints (start-up warnings included) and its exit status, abort
 * included; without it, the release is inferred from the destination stream and the verdict must be right.
 * A fixed matrix of configurations, then a seeded random sample ({@code -Dregshim.fidelity.seed}).
 */
@Tag("qemu")
class CrossReleaseFidelityTest {

    /** Configurations every release starts: virt-7.2 is the newest machine type 7.2 has. */
    static final Map<String, List<String>> FIXED = new LinkedHashMap<>();

    static {
        FIXED.put("a57", List.of("-M", "virt-7.2", "-cpu", "cortex-a57"));
        FIXED.put("max", List.of("-M", "virt-7.2", "-cpu", "max"));
        FIXED.put("n1", List.of("-M", "virt-7.2", "-cpu", "neoverse-n1"));
        FIXED.put("a15-32bit", List.of("-M", "virt-7.2", "-cpu", "cortex-a15"));
        FIXED.put("el2-max", List.of("-M", "virt-7.2,virtualization=on", "-cpu", "max"));
        FIXED.put("gic3-a72-smp2", List.of("-M", "virt-7.2,gic-version=3", "-cpu", "cortex-a72", "-smp", "2"));
        FIXED.put("secure-a57", List.of("-M", "virt-7.2,secure=on", "-cpu", "cortex-a57"));
        FIXED.put("mte-max", List.of("-M", "virt-7.2,mte=on", "-cpu", "max"));
    }

    /** Between 10.0 and 11.1 only: machine types 7.2 does not have. */
    static final Map<String, List<String>> NEWER = new LinkedHashMap<>();

    static {
        NEWER.put("v92-max", List.of("-M", "virt-9.2", "-cpu", "max"));
        NEWER.put("v100-a57", List.of("-M", "virt-10.0", "-cpu", "cortex-a57"));
    }

    static final String[] RANDOM_CPUS = {"max", "cortex-a53", "cortex-a57", "cortex-a72", "neoverse-n1", "a64fx",
        "max,pauth=off", "max,sve=off", "cortex-a15", "cortex-a7", "max,pmu=off"};
    static final String[] RANDOM_MACHINES = {"virt-7.2", "virt-7.2,gic-version=3", "virt-7.2,virtualization=on",
        "virt-7.2,secure=on", "virt-7.2,highmem=off"};

    @TempDir
    static Path dir;
    static final Map<QemuRelease, QemuBinary> QEMU = new LinkedHashMap<>();

    @BeforeAll
    static void qemus() {
        QEMU.put(QemuRelease.V7_2, QemuTestSupport.requireQemu());
        QEMU.put(QemuRelease.V10_0, QemuTestSupport.requireQemu10());
        QEMU.put(QemuRelease.V11_1, QemuTestSupport.requireQemu11());
    }

    /** One configuration saved by each release that starts it. */
    record Saved(String name, List<String> config, Map<QemuRelease, Path> streams, Map<QemuRelease, Profile> profiles) {
    }

    static Saved save(String name, List<String> config, List<QemuRelease> releases) {
        Map<QemuRelease, Path> streams = new LinkedHashMap<>();
        Map<QemuRelease, Profile> profiles = new LinkedHashMap<>();
        for (QemuRelease r : releases) {
            Path f = dir.resolve(name.replaceAll("[^a-z0-9.-]", "_") + "-" + r + ".mig");
            Qemu10FidelityTest.save(QEMU.get(r), config, f);
            streams.put(r, f);
            profiles.put(r, ProfileSources.resolve(f.toString()));
        }
        return new Saved(name, config, streams, profiles);
    }

    static CheckResult predict(Profile src, Profile dst, DestinationRelease release) {
        Semantics sem = release.semantics();
        LoadSettings s = new LoadSettings(sem, Accel.TCG, null, null, release);
        return MigrationCheck.run(src, dst, s, KvmValueRule.CONSERVATIVE);
    }

    /** Loads run, and those that failed in real QEMU, for the summary and to prove the matrix ran. */
    static int loads;
    static int realFailures;
    static int aborts;

    /** Loads every direction between the releases that saved {@code s}; returns the mismatches. */
    static List<String> compare(Saved s, List<String> verdictOnly) {
        List<String> mismatches = new ArrayList<>();
        for (QemuRelease from : s.streams().keySet()) {
            for (QemuRelease to : s.streams().keySet()) {
                if (from.equals(to)) {
                    continue;
                }
                IncomingResult real = Qemu10FidelityTest.load(QEMU.get(to), s.config(), s.streams().get(from));
                loads++;
                realFailures += real.loaded() ? 0 : 1;
                aborts += real.exitCode().orElse(0) == QemuRelease.ABORT_EXIT_STATUS ? 1 : 0;
                Profile src = s.profiles().get(from);
                Profile dst = s.profiles().get(to);
                String label = s.name() + " " + from + " -> " + to;
                CheckResult given = predict(src, dst, DestinationRelease.given(to));
                List<String> realLines = real.errorLines();
                int realExit = real.loaded() ? 0 : real.exitCode().orElse(-1);
                if (given.loads() != real.loaded() || !given.qemuLines().equals(realLines)
                        || given.qemuExitStatus() != realExit) {
                    mismatches.add(label + " (--to-qemu " + to + "): QEMU exit " + realExit + " " + realLines
                            + " | model exit " + given.qemuExitStatus() + " " + given.qemuLines());
                }
                CheckResult inferred = predict(src, dst,
                        DestinationRelease.resolve(null, dst.provenance().qemuVersion()));
                if (inferred.loads() != real.loaded()) {
                    verdictOnly.add(label + " (inferred " + dst.provenance().qemuVersion() + "): QEMU "
                            + real.summary() + " | model " + (inferred.loads() ? "loads" : inferred.firstError()));
                }
            }
        }
        return mismatches;
    }

    @Test
    void fixedMatrixAllSixDirections() {
        List<String> mismatches = new ArrayList<>();
        List<String> verdicts = new ArrayList<>();
        int before = loads;
        for (Map.Entry<String, List<String>> e : FIXED.entrySet()) {
            Saved s = save(e.getKey(), e.getValue(), QemuRelease.OBSERVED);
            mismatches.addAll(compare(s, verdicts));
        }
        for (Map.Entry<String, List<String>> e : NEWER.entrySet()) {
            Saved s = save(e.getKey(), e.getValue(), List.of(QemuRelease.V10_0, QemuRelease.V11_1));
            mismatches.addAll(compare(s, verdicts));
        }
        assertThat(mismatches).as("exact lines and exit status with --to-qemu").isEmpty();
        assertThat(verdicts).as("verdicts with the release inferred from the destination stream").isEmpty();
        assertThat(loads - before).isEqualTo(FIXED.size() * 6 + NEWER.size() * 2);
        assertThat(realFailures).as("cross-release loads that fail in real QEMU").isGreaterThan(FIXED.size());
        assertThat(aborts).as("QEMU 10.0 aborts on 11.1's cpu/wfxt-timer").isPositive();
        System.out.println("cross-release: " + loads + " loads, " + realFailures + " failed, " + aborts
                + " aborted; every line and exit status predicted");
    }

    @Test
    void seededRandomConfigurationsAllSixDirections() {
        long seed = dev.regshim.testing.RandomConfigs.seed(1207);
        SplittableRandom r = new SplittableRandom(seed);
        int want = Math.max(2, dev.regshim.testing.RandomConfigs.count() - 2);
        List<String> mismatches = new ArrayList<>();
        List<String> verdicts = new ArrayList<>();
        int drawn = 0;
        int attempts = 0;
        while (drawn < want && attempts++ < want * 10) {
            List<String> config = new ArrayList<>(List.of("-M", RANDOM_MACHINES[r.nextInt(RANDOM_MACHINES.length)],
                    "-cpu", RANDOM_CPUS[r.nextInt(RANDOM_CPUS.length)], "-smp", r.nextInt(3) == 0 ? "2" : "1"));
            Saved s;
            try {
                s = save("random-" + seed + "-" + drawn, config, QemuRelease.OBSERVED);
            } catch (QemuException e) {
                continue; // a combination some release refuses to start: draw again
            }
            drawn++;
            mismatches.addAll(compare(s, verdicts));
        }
        assertThat(drawn).as("seed %d: valid configurations", seed).isEqualTo(want);
        assertThat(mismatches).as("seed %d (rerun with -Dregshim.fidelity.seed=%d)", seed, seed).isEmpty();
        assertThat(verdicts).as("seed %d, inferred release", seed).isEmpty();
    }
}
