package dev.regshim.check;

import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.KvmValueRule;
import dev.regshim.cpreg.LoadSettings;
import dev.regshim.cpreg.Semantics;
import dev.regshim.profile.Profile;
import dev.regshim.profile.source.ProfileSources;
import dev.regshim.qemu.IncomingResult;
import dev.regshim.qemu.QemuBinary;
import dev.regshim.qemu.QemuProcess;
import dev.regshim.regs.CpregArray;
import dev.regshim.regs.RegId;
import dev.regshim.stream.CpregReplacement;
import dev.regshim.stream.CpuSection;
import dev.regshim.stream.ReadOptions;
import dev.regshim.stream.StreamReader;
import dev.regshim.stream.StreamSummary;
import dev.regshim.stream.StreamTransformer;
import dev.regshim.testing.QemuTestSupport;
import dev.regshim.testing.RandomConfigs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The model against real QEMU 7.2: streams saved by a set of configurations are loaded into every other
 * configuration, and the model's verdict and QEMU's first error line must match for every pair; then synthetic
 * streams exercise each step of QEMU's cpreg load (length check, merge walk and its tail quirk, unsorted lists,
 * constant-register read-back, zero-filled missing registers).
 */
@Tag("qemu")
class QemuFidelityTest {

    /** name → machine options and -cpu; -m 64 unless the entry says otherwise. */
    static final Map<String, List<String>> CONFIGS = new LinkedHashMap<>();

    static {
        CONFIGS.put("max", List.of("-M", "virt", "-cpu", "max"));
        CONFIGS.put("a57", List.of("-M", "virt", "-cpu", "cortex-a57"));
        CONFIGS.put("a53", List.of("-M", "virt", "-cpu", "cortex-a53"));
        CONFIGS.put("a72", List.of("-M", "virt", "-cpu", "cortex-a72"));
        CONFIGS.put("a76", List.of("-M", "virt", "-cpu", "cortex-a76"));
        CONFIGS.put("n1", List.of("-M", "virt", "-cpu", "neoverse-n1"));
        CONFIGS.put("a64fx", List.of("-M", "virt", "-cpu", "a64fx"));
        CONFIGS.put("nopauth", List.of("-M", "virt", "-cpu", "max,pauth=off"));
        CONFIGS.put("nosve", List.of("-M", "virt", "-cpu", "max,sve=off"));
        CONFIGS.put("mte", List.of("-M", "virt,mte=on", "-cpu", "max"));
        CONFIGS.put("el2", List.of("-M", "virt,virtualization=on", "-cpu", "max"));
        CONFIGS.put("el3", List.of("-M", "virt,secure=on", "-cpu", "max"));
        CONFIGS.put("smp2", List.of("-M", "virt", "-cpu", "max", "-smp", "2"));
        CONFIGS.put("gic3", List.of("-M", "virt,gic-version=3", "-cpu", "max"));
        // GICv3 keeps one redistributor per vCPU: same device version, different layout (found by the random test)
        CONFIGS.put("gic3-smp2", List.of("-M", "virt,gic-version=3", "-cpu", "max", "-smp", "2"));
        // found by the random sample: guest RAM cannot be resized ("Size mismatch"); cortex-a7 with and without EL2
        CONFIGS.put("m128", List.of("-M", "virt", "-cpu", "max", "-m", "128"));
        CONFIGS.put("a7", List.of("-M", "virt", "-cpu", "cortex-a7"));
        CONFIGS.put("a7-el2", List.of("-M", "virt,virtualization=on", "-cpu", "cortex-a7"));
    }

    static final Duration LOAD_TIMEOUT = Duration.ofSeconds(20);
    static final LoadSettings STOCK_TCG = LoadSettings.of(Semantics.QEMU_STOCK, Accel.TCG);

    @TempDir
    static Path dir;
    static QemuBinary qemu;
    static final Map<String, Path> STREAMS = new LinkedHashMap<>();
    static final Map<String, Profile> PROFILES = new LinkedHashMap<>();

    @BeforeAll
    static void saveEveryConfiguration() throws Exception {
        qemu = QemuTestSupport.requireQemu();
        for (Map.Entry<String, List<String>> c : CONFIGS.entrySet()) {
            Path f = dir.resolve(c.getKey() + ".mig");
            save(c.getValue(), f);
            STREAMS.put(c.getKey(), f);
            PROFILES.put(c.getKey(), ProfileSources.resolve(f.toString()));
        }
    }

    static void save(List<String> config, Path file) {
        List<String> args = new ArrayList<>(config);
        if (!args.contains("-m")) {
            args.addAll(List.of("-m", "64"));
        }
        args.add("-S");
        try (QemuProcess p = QemuProcess.builder(qemu).args(args).start()) {
            assertThat(p.migrateToFile(file).status()).isEqualTo("completed");
        }
    }

    static IncomingResult load(List<String> config, Path stream) {
        List<String> args = new ArrayList<>(config);
        if (!args.contains("-m")) {
            args.addAll(List.of("-m", "64"));
        }
        args.add("-S");
        try (QemuProcess p = QemuProcess.builder(qemu).args(args).incomingDefer().start()) {
            p.migrateIncomingFromFile(stream);
            return p.waitForIncomingResult(LOAD_TIMEOUT);
        }
    }

    public static String firstError(IncomingResult r) {
        return r.loaded() ? null : r.errorLines().stream().filter(l -> !l.startsWith("warning:")).findFirst().orElse("");
    }

    static String predict(Profile src, Profile dst) {
        CheckResult c = MigrationCheck.run(src, dst, STOCK_TCG, KvmValueRule.CONSERVATIVE);
        return c.loads() ? null : c.firstError();
    }

    @Test
    void everyPairMatchesQemusVerdictAndFirstErrorLine() {
        List<String> mismatches = new ArrayList<>();
        List<String> crossLoads = new ArrayList<>();
        int pairs = 0;
        for (String s : CONFIGS.keySet()) {
            for (String d : CONFIGS.keySet()) {
                IncomingResult real = load(CONFIGS.get(d), STREAMS.get(s));
                String expected = firstError(real);
                String predicted = predict(PROFILES.get(s), PROFILES.get(d));
                pairs++;
                if (real.loaded() && !s.equals(d)) {
                    crossLoads.add(s + " -> " + d);
                } else if (!real.loaded() && s.equals(d)) {
                    mismatches.add(s + " does not load into itself: " + real.summary());
                }
                if (!java.util.Objects.equals(expected, predicted)) {
                    mismatches.add(s + " -> " + d + ": QEMU " + real.summary() + " | model " + predicted);
                }
            }
        }
        assertThat(mismatches).as("pairs where the model disagrees with QEMU").isEmpty();
        assertThat(pairs).isEqualTo(CONFIGS.size() * CONFIGS.size());
        // every configuration loads into itself; of the others only a stream whose registers the destination all has
        // with equal constants, the rest keeping their values: cortex-a7 into cortex-a7 with EL2 (7.2 lists no
        // RMR_EL2 for it; 11.1 does, a constant 1 the stream lacks, and fails: see Qemu11FidelityTest)
        assertThat(crossLoads).as("different configurations that load unmodified").containsExactly("a7 -> a7-el2");
    }

    /** A synthetic variant of the max stream: the model's verdict and first line must match QEMU's. */
    record Variant(String name, Function<CpregArray, CpregArray> change, boolean expectLoads) {
    }

    static CpregArray insert(CpregArray a, long id, long value, int at) {
        long[] ids = a.ids(), vals = a.values();
        long[] ni = new long[ids.length + 1], nv = new long[ids.length + 1];
        int pos = at >= 0 ? at : sortedPosition(ids, id);
        System.arraycopy(ids, 0, ni, 0, pos);
        System.arraycopy(vals, 0, nv, 0, pos);
        ni[pos] = id;
        nv[pos] = value;
        System.arraycopy(ids, pos, ni, pos + 1, ids.length - pos);
        System.arraycopy(vals, pos, nv, pos + 1, ids.length - pos);
        return CpregArray.of(ni, nv);
    }

    static int sortedPosition(long[] ids, long id) {
        int p = 0;
        while (p < ids.length && Long.compareUnsigned(ids[p], id) < 0) {
            p++;
        }
        return p;
    }

    static CpregArray removeId(CpregArray a, long id) {
        int i = a.indexOf(id);
        long[] ids = a.ids(), vals = a.values();
        long[] ni = new long[ids.length - 1], nv = new long[ids.length - 1];
        System.arraycopy(ids, 0, ni, 0, i);
        System.arraycopy(vals, 0, nv, 0, i);
        System.arraycopy(ids, i + 1, ni, i, ids.length - i - 1);
        System.arraycopy(vals, i + 1, nv, i, ids.length - i - 1);
        return CpregArray.of(ni, nv);
    }

    static CpregArray setValue(CpregArray a, long id, long value) {
        long[] vals = a.values();
        vals[a.indexOf(id)] = value;
        return CpregArray.of(a.ids(), vals);
    }

    static CpregArray swap(CpregArray a, int i, int j) {
        long[] ids = a.ids(), vals = a.values();
        long t = ids[i];
        ids[i] = ids[j];
        ids[j] = t;
        t = vals[i];
        vals[i] = vals[j];
        vals[j] = t;
        return CpregArray.of(ids, vals);
    }

    static final long ISAR1 = RegId.sysreg(3, 0, 0, 6, 1).value();
    static final long PFR1 = RegId.sysreg(3, 0, 0, 4, 1).value();
    static final long TPIDR_EL1 = RegId.sysreg(3, 0, 13, 0, 4).value();
    static final long UNKNOWN_TAIL = RegId.sysreg(3, 7, 15, 15, 7).value();
    static final long UNKNOWN_MID = RegId.sysreg(3, 0, 11, 5, 5).value();

    @Test
    void syntheticStreamsExerciseEachStepOfTheLoad() throws Exception {
        Profile max = PROFILES.get("max");
        CpregArray base = max.vcpus().get(0).cpregs();
        int n = base.length();
        List<Variant> variants = List.of(
                new Variant("unknown register after the last one (stock quirk)",
                        a -> insert(removeId(a, RegId.sysreg(3, 0, 2, 1, 0).value()), UNKNOWN_TAIL, 0x1234, -1), true),
                new Variant("an unknown register making the list too long", a -> insert(a, UNKNOWN_TAIL, 0x1234, -1), false),
                new Variant("unknown register inside the list", a -> insert(a, UNKNOWN_MID, 0, -1), false),
                new Variant("two registers swapped in the middle", a -> swap(a, n / 2, n / 2 + 1), false),
                new Variant("the last two registers swapped (slips through)", a -> swap(a, n - 2, n - 1), true),
                new Variant("one register too many", a -> insert(insert(a, UNKNOWN_TAIL, 0, -1), UNKNOWN_TAIL - 1, 0, -1), false),
                new Variant("a constant register's value flipped", a -> setValue(a, ISAR1, a.valueOf(RegId.of(ISAR1)).getAsLong() ^ 0x10), false),
                new Variant("a non-zero constant missing from the stream", a -> removeId(a, PFR1), false),
                new Variant("a zero-valued register missing from the stream", a -> removeId(a, RegId.sysreg(3, 0, 2, 1, 0).value()), true),
                new Variant("a guest register with a new value", a -> setValue(a, TPIDR_EL1, 0x5555666677778888L), true));
        List<String> mismatches = new ArrayList<>();
        int i = 0;
        for (Variant v : variants) {
            CpregArray changed = v.change().apply(base);
            Path f = dir.resolve("variant-" + (i++) + ".mig");
            writeVariant(STREAMS.get("max"), f, changed);
            Profile src = new Profile(max.provenance(), max.machineType(), max.pageSize(), max.ramBlocks(), max.sections(),
                    List.of(new Profile.Vcpu(0, changed)), true, false);
            IncomingResult real = load(CONFIGS.get("max"), f);
            String predicted = predict(src, max);
            if (real.loaded() != v.expectLoads() || !java.util.Objects.equals(firstError(real), predicted)) {
                mismatches.add(v.name() + ": QEMU " + real.summary() + " | model " + predicted);
            }
        }
        assertThat(mismatches).isEmpty();
    }

    /**
     * Writes the stream with cpu 0's arrays replaced. Sorted arrays go through the transformer (vmdesc kept
     * consistent); unsorted ones, which regshim itself never writes, are patched into a same-length copy in place.
     */
    static void writeVariant(Path original, Path out, CpregArray arrays) throws Exception {
        if (arrays.isSortedUnique()) {
            try (OutputStream o = Files.newOutputStream(out)) {
                StreamTransformer.of(cpu -> cpu.instanceId() == 0 ? CpregReplacement.of(arrays.ids(), arrays.values())
                        : CpregReplacement.unchanged()).transform(original, o);
            }
            return;
        }
        StreamSummary s = StreamReader.summarize(original, ReadOptions.defaults());
        CpuSection cpu = s.cpus().get(0);
        assertThat(arrays.length()).isEqualTo(cpu.cpregCount());
        Files.copy(original, out);
        ByteBuffer b = ByteBuffer.allocate(16 * arrays.length());
        Arrays.stream(arrays.ids()).forEach(b::putLong);
        Arrays.stream(arrays.values()).forEach(b::putLong);
        b.flip();
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.WRITE)) {
            ch.write(b, cpu.cpregArrayOffset() + 4);
        }
    }

    /** Configurations no test names: a seeded sample of CPU models and options, checked the same way. */
    @Test
    void randomConfigurationPairsMatch() {
        long seed = RandomConfigs.seed(41);
        List<RandomConfigs.Drawn> drawn = RandomConfigs.drawAndSave(seed, RandomConfigs.count(), dir, "random-",
                QemuFidelityTest::save);
        assertThat(drawn).as("seed %d: valid random configurations", seed).hasSize(RandomConfigs.count());
        List<String> mismatches = new ArrayList<>();
        for (RandomConfigs.Drawn s : drawn) {
            for (RandomConfigs.Drawn d : drawn) {
                IncomingResult real = load(d.config(), s.stream());
                String predicted = predict(s.profile(), d.profile());
                if (!java.util.Objects.equals(firstError(real), predicted)) {
                    mismatches.add(s + " -> " + d + ": QEMU " + real.summary() + " | model " + predicted);
                }
            }
        }
        assertThat(mismatches).as("seed %d (rerun with -Dregshim.fidelity.seed=%d)", seed, seed).isEmpty();
    }
}
