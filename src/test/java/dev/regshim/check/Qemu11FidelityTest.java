package dev.regshim.check;

import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.KvmValueRule;
import dev.regshim.cpreg.LoadSettings;
import dev.regshim.cpreg.Semantics;
import dev.regshim.profile.Profile;
import dev.regshim.profile.source.ProfileSources;
import dev.regshim.qemu.IncomingResult;
import dev.regshim.qemu.QemuBinary;
import dev.regshim.stream.StreamTransformer;
import dev.regshim.stream.TransformResult;
import dev.regshim.testing.QemuTestSupport;
import dev.regshim.testing.RandomConfigs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fidelity with a real QEMU 11.1 (scripts/get-qemu.sh 11.1), the release with the cpreg migration tolerances and
 * the chained error messages: streams it saves read back byte-exact, and the {@code qemu-11.1} model predicts every
 * load among them line for line, warnings included — and of QEMU 10.0 and 7.2 streams loaded into QEMU 11.1 with
 * the source's machine type (the distribution's forward migration).
 */
@Tag("qemu")
class Qemu11FidelityTest {

    static final Map<String, List<String>> CONFIGS = new LinkedHashMap<>();

    static {
        CONFIGS.put("max", List.of("-M", "virt", "-cpu", "max"));
        CONFIGS.put("a57", List.of("-M", "virt", "-cpu", "cortex-a57"));
        CONFIGS.put("nopauth", List.of("-M", "virt", "-cpu", "max,pauth=off"));
        CONFIGS.put("nosve", List.of("-M", "virt", "-cpu", "max,sve=off"));
        CONFIGS.put("el2", List.of("-M", "virt,virtualization=on", "-cpu", "max"));
        CONFIGS.put("gic3", List.of("-M", "virt,gic-version=3", "-cpu", "max"));
        CONFIGS.put("smp2", List.of("-M", "virt", "-cpu", "cortex-a57", "-smp", "2"));
        CONFIGS.put("m128", List.of("-M", "virt", "-cpu", "max", "-m", "128"));
        CONFIGS.put("v100-max", List.of("-M", "virt-10.0", "-cpu", "max"));
        CONFIGS.put("v72-a57", List.of("-M", "virt-7.2", "-cpu", "cortex-a57"));
        // found by the random sample: AArch32 cpreg keys always carry the non-secure flag in 11.1's messages;
        // RMR_EL2 is a constant; GICv3 interfaces of CPUs with FEAT_NMI send an extra subsection QEMU accepts
        CONFIGS.put("a7", List.of("-M", "virt", "-cpu", "cortex-a7"));
        CONFIGS.put("a7-el2", List.of("-M", "virt,virtualization=on", "-cpu", "cortex-a7"));
        CONFIGS.put("gic3-a57", List.of("-M", "virt,gic-version=3", "-cpu", "cortex-a57"));
    }

    static final LoadSettings TCG_111 = LoadSettings.of(Semantics.QEMU_11_1, Accel.TCG);

    @TempDir
    static Path dir;
    static QemuBinary qemu11;
    static final Map<String, Path> STREAMS = new LinkedHashMap<>();
    static final Map<String, Profile> PROFILES = new LinkedHashMap<>();

    @BeforeAll
    static void save() {
        qemu11 = QemuTestSupport.requireQemu11();
        CONFIGS.forEach((name, config) -> {
            Path f = dir.resolve(name + ".mig");
            Qemu10FidelityTest.save(qemu11, config, f);
            STREAMS.put(name, f);
            PROFILES.put(name, ProfileSources.resolve(f.toString()));
        });
    }

    static List<String> predict(Profile src, Profile dst) {
        CheckResult c = MigrationCheck.run(src, dst, TCG_111, KvmValueRule.CONSERVATIVE);
        // start-up warnings are compared, line for line, by CrossReleaseFidelityTest
        return c.loads() ? null : c.qemuLines().stream().filter(l -> !startupWarning(l)).toList();
    }

    /** Printed when QEMU starts with an old machine type, before and apart from any load. */
    static boolean startupWarning(String line) {
        return line.matches("warning: Machine type '[^']+' is deprecated: .*");
    }

    static String compare(String what, IncomingResult real, List<String> predicted) {
        List<String> expected = real.loaded() ? null
                : real.errorLines().stream().filter(l -> !startupWarning(l)).toList();
        if (real.loaded() && predicted == null) {
            return null;
        }
        if (expected != null && expected.equals(predicted)) {
            return null;
        }
        return what + ":\n  QEMU  " + (expected == null ? "loads" : String.join("\n        ", expected))
                + "\n  model " + (predicted == null ? "loads" : String.join("\n        ", predicted));
    }

    @Test
    void qemu11StreamsRoundTripByteExact() throws Exception {
        for (Map.Entry<String, Path> e : STREAMS.entrySet()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            TransformResult r = StreamTransformer.of(StreamTransformer.identity()).transform(e.getValue(), out);
            assertThat(out.toByteArray()).as(e.getKey()).isEqualTo(Files.readAllBytes(e.getValue()));
            assertThat(r.cpuSections()).as(e.getKey()).isEqualTo(e.getKey().equals("smp2") ? 2 : 1);
        }
        assertThat(PROFILES.get("max").machineType()).isEqualTo("virt-11.1");
        assertThat(PROFILES.get("v100-max").machineType()).isEqualTo("virt-10.0");
        assertThat(PROFILES.get("max").provenance().qemuVersion()).isEqualTo(">=11.1");
    }

    @Test
    void everyPairMatchesQemu11LineForLine() {
        List<String> mismatches = new ArrayList<>();
        for (String s : CONFIGS.keySet()) {
            for (String d : CONFIGS.keySet()) {
                IncomingResult real = Qemu10FidelityTest.load(qemu11, CONFIGS.get(d), STREAMS.get(s));
                String m = compare(s + " -> " + d, real, predict(PROFILES.get(s), PROFILES.get(d)));
                if (m != null) {
                    mismatches.add(m);
                }
            }
        }
        assertThat(mismatches).isEmpty();
    }

    @Test
    void olderStreamsIntoQemu11WithTheirMachineType() {
        List<String> mismatches = new ArrayList<>();
        QemuBinary qemu10 = QemuTestSupport.requireQemu10();
        QemuBinary qemu72 = QemuTestSupport.requireQemu();
        record Case(String name, QemuBinary from, List<String> saveConfig, String dstConfig) { }
        for (Case c : List.of(
                new Case("10.0 max", qemu10, List.of("-M", "virt", "-cpu", "max"), "v100-max"),
                new Case("7.2 a57", qemu72, List.of("-M", "virt", "-cpu", "cortex-a57"), "v72-a57"))) {
            Path old = dir.resolve("old-" + c.name().replace(' ', '-') + ".mig");
            Qemu10FidelityTest.save(c.from(), c.saveConfig(), old);
            Profile src = ProfileSources.resolve(old.toString());
            IncomingResult real = Qemu10FidelityTest.load(qemu11, CONFIGS.get(c.dstConfig()), old);
            String m = compare(c.name() + " -> 11.1 " + c.dstConfig(), real, predict(src, PROFILES.get(c.dstConfig())));
            if (m != null) {
                mismatches.add(m);
            }
        }
        assertThat(mismatches).isEmpty();
    }

    /** The random sample of {@link QemuFidelityTest}, on QEMU 11.1, every line compared. */
    @Test
    void randomConfigurationPairsMatchLineForLine() {
        long seed = RandomConfigs.seed(41);
        int count = Math.max(2, RandomConfigs.count() - 1);
        List<RandomConfigs.Drawn> drawn = RandomConfigs.drawAndSave(seed, count, dir, "random11-",
                (c, f) -> Qemu10FidelityTest.save(qemu11, c, f));
        assertThat(drawn).as("seed %d: valid random configurations", seed).hasSize(count);
        List<String> mismatches = new ArrayList<>();
        for (RandomConfigs.Drawn s : drawn) {
            for (RandomConfigs.Drawn d : drawn) {
                IncomingResult real = Qemu10FidelityTest.load(qemu11, d.config(), s.stream());
                String m = compare(s + " -> " + d, real, predict(s.profile(), d.profile()));
                if (m != null) {
                    mismatches.add(m);
                }
            }
        }
        assertThat(mismatches).as("seed %d (rerun with -Dregshim.fidelity.seed=%d)", seed, seed).isEmpty();
    }
}
