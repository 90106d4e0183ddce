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
import dev.regshim.testing.QemuLoads;
import dev.regshim.testing.QemuTestSupport;
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
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same fidelity check with QEMU 10.0 (scripts/get-qemu.sh 10.0): streams it saves (virt-10.0 with SWITCHOVER_START,
 * virt-9.2 without, virt-7.2) read back byte-exact, and the model predicts every load among them — and of QEMU 7.2
 * streams loaded into QEMU 10.0 with -M virt-7.2, the distribution case.
 */
@Tag("qemu")
class Qemu10FidelityTest {

    static final Map<String, List<String>> CONFIGS = new LinkedHashMap<>();

    static {
        CONFIGS.put("max", List.of("-M", "virt", "-cpu", "max"));
        CONFIGS.put("a57", List.of("-M", "virt", "-cpu", "cortex-a57"));
        CONFIGS.put("nopauth", List.of("-M", "virt", "-cpu", "max,pauth=off"));
        CONFIGS.put("el2", List.of("-M", "virt,virtualization=on", "-cpu", "max"));
        CONFIGS.put("smp2", List.of("-M", "virt", "-cpu", "cortex-a57", "-smp", "2"));
        CONFIGS.put("v92-max", List.of("-M", "virt-9.2", "-cpu", "max"));
        CONFIGS.put("v72-max", List.of("-M", "virt-7.2", "-cpu", "max"));
        CONFIGS.put("v72-a57", List.of("-M", "virt-7.2", "-cpu", "cortex-a57"));
        // no FEAT_WFxT, and EL2 registers enough for max's cpreg count: QEMU 10.0 aborts on max's cpu/wfxt-timer
        CONFIGS.put("n1-el2", List.of("-M", "virt,virtualization=on", "-cpu", "neoverse-n1"));
    }

    static final LoadSettings STOCK_TCG = LoadSettings.of(Semantics.QEMU_STOCK, Accel.TCG);

    @TempDir
    static Path dir;
    static QemuBinary qemu10;
    static QemuBinary qemu72;
    static final Map<String, Path> STREAMS = new LinkedHashMap<>();
    static final Map<String, Profile> PROFILES = new LinkedHashMap<>();

    @BeforeAll
    static void save() {
        qemu10 = QemuTestSupport.requireQemu10();
        qemu72 = QemuTestSupport.requireQemu();
        CONFIGS.forEach((name, config) -> {
            Path f = dir.resolve(name + ".mig");
            save(qemu10, config, f);
            STREAMS.put(name, f);
            PROFILES.put(name, ProfileSources.resolve(f.toString()));
        });
    }

    static void save(QemuBinary q, List<String> config, Path f) {
        QemuLoads.save(q, config, f);
    }

    static IncomingResult load(QemuBinary q, List<String> config, Path stream) {
        return QemuLoads.load(q, config, stream).result();
    }

    static String predict(Profile src, Profile dst) {
        CheckResult c = MigrationCheck.run(src, dst, STOCK_TCG, KvmValueRule.CONSERVATIVE);
        return c.loads() ? null : c.firstError();
    }

    @Test
    void qemu10StreamsRoundTripByteExact() throws Exception {
        for (Map.Entry<String, Path> e : STREAMS.entrySet()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            TransformResult r = StreamTransformer.of(StreamTransformer.identity()).transform(e.getValue(), out);
            assertThat(out.toByteArray()).as(e.getKey()).isEqualTo(Files.readAllBytes(e.getValue()));
            assertThat(r.cpuSections()).as(e.getKey()).isEqualTo(e.getKey().equals("smp2") ? 2 : 1);
        }
        assertThat(PROFILES.get("max").machineType()).isEqualTo("virt-10.0");
        assertThat(PROFILES.get("v72-max").machineType()).isEqualTo("virt-7.2");
        assertThat(PROFILES.get("max").provenance().qemuVersion()).isEqualTo("10.0..11.0");
        assertThat(PROFILES.get("max").vcpus().get(0).cpregs().length()).isEqualTo(329);
        assertThat(PROFILES.get("a57").vcpus().get(0).cpregs().length()).isEqualTo(275);
    }

    @Test
    void everyPairMatchesQemu10() {
        List<String> mismatches = new ArrayList<>();
        List<String> aborted = new ArrayList<>();
        for (String s : CONFIGS.keySet()) {
            for (String d : CONFIGS.keySet()) {
                IncomingResult real = load(qemu10, CONFIGS.get(d), STREAMS.get(s));
                if (qemu10Aborted(real)) {
                    aborted.add(s + " -> " + d);
                }
                String expected = QemuFidelityTest.firstError(real);
                String predicted = predict(PROFILES.get(s), PROFILES.get(d));
                if (!Objects.equals(expected, predicted)) {
                    mismatches.add(s + " -> " + d + ": QEMU " + real.summary() + " | model " + predicted);
                }
            }
        }
        assertThat(mismatches).isEmpty();
        assertThat(aborted).as("loads that abort QEMU 10.0 (predicted line for line above)").contains("max -> n1-el2");
    }

    @Test
    void qemu72StreamsIntoQemu10WithTheSameMachineType() {
        List<String> mismatches = new ArrayList<>();
        for (String cpu : List.of("max", "a57")) {
            List<String> config = CONFIGS.get("v72-" + cpu);
            Path old = dir.resolve("qemu72-" + cpu + ".mig");
            save(qemu72, List.of("-M", "virt", "-cpu", config.get(3)), old);
            Profile src = ProfileSources.resolve(old.toString());
            IncomingResult real = load(qemu10, config, old);
            String predicted = predict(src, PROFILES.get("v72-" + cpu));
            assertThat(real.loaded()).as(cpu).isFalse();
            if (!Objects.equals(QemuFidelityTest.firstError(real), predicted)) {
                mismatches.add(cpu + ": QEMU " + real.summary() + " | model " + predicted);
            }
        }
        assertThat(mismatches).isEmpty();
    }

    /** The random sample of {@link QemuFidelityTest} on QEMU 10.0: verdict and first error line. */
    @Test
    void randomConfigurationPairsMatchQemu10() {
        long seed = dev.regshim.testing.RandomConfigs.seed(41);
        int count = Math.max(2, dev.regshim.testing.RandomConfigs.count() - 2);
        List<dev.regshim.testing.RandomConfigs.Drawn> drawn = dev.regshim.testing.RandomConfigs.drawAndSave(seed, count,
                dir, "random10-", (c, f) -> save(qemu10, c, f));
        assertThat(drawn).as("seed %d: valid random configurations", seed).hasSize(count);
        List<String> mismatches = new ArrayList<>();
        int aborts = 0;
        for (var s : drawn) {
            for (var d : drawn) {
                IncomingResult real = load(qemu10, d.config(), s.stream());
                String predicted = predict(s.profile(), d.profile());
                aborts += qemu10Aborted(real) ? 1 : 0;
                if (!Objects.equals(QemuFidelityTest.firstError(real), predicted)) {
                    mismatches.add(s + " -> " + d + ": QEMU " + real.summary() + " | model " + predicted);
                }
            }
        }
        assertThat(mismatches).as("seed %d (rerun with -Dregshim.fidelity.seed=%d)", seed, seed).isEmpty();
        System.out.println("seed " + seed + ": " + aborts + " loads aborted QEMU 10.0, as predicted");
    }

    /**
     * QEMU 10.0 aborts with {@code vmstate_load_state: Assertion `first_elem || !n_elems || !size' failed} when a
     * stream that carries the cpu/wfxt-timer subsection reaches, past the cpreg length check, a CPU model without
     * FEAT_WFxT (neoverse-n1/v1, cortex-a76 with virtualization=on, ...): the subsection is loaded into a timer the
     * destination never created. QEMU 7.2 has no such subsection and 11.1 creates the timer for every CPU. The
     * model predicts it from the subsections each side's cpu section carries (the destination's lacks the timer).
     */
    static boolean qemu10Aborted(IncomingResult r) {
        return !r.loaded() && r.exitCode().orElse(0) == 134
                && r.errorLines().stream().anyMatch(l -> l.contains("vmstate_load_state: Assertion"));
    }
}
