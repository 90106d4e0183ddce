package dev.regshim.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The seeded sample of QEMU configurations the random fidelity and rewrite tests draw from: configurations no test
 * names, so that the model and the rewriter are checked beyond the cases they were built on.
 */
public final class RandomConfigs {

    private RandomConfigs() {
    }

    /**
     * The seed of a random sample: {@code -Dregshim.fidelity.seed=N} replays N, {@code =random} draws a new one
     * (printed, for exploring), and without the property a fixed seed known to pass keeps CI deterministic.
     */
    public static long seed(long fixed) {
        String p = System.getProperty("regshim.fidelity.seed");
        long seed = p == null || p.isBlank() ? fixed : p.trim().equals("random") ? System.nanoTime() : Long.parseLong(p.trim());
        System.out.println("random sample seed " + seed + " (-Dregshim.fidelity.seed=" + seed + " replays it)");
        return seed;
    }

    /**
     * CPU models and options the random sample draws from. Not every QEMU has every one (7.2 has no neoverse-n2, no
     * AArch32 model takes virtualization=on): users of the sample draw again when QEMU refuses to start.
     */
    public static final String[] CPUS = {"max", "cortex-a35", "cortex-a53", "cortex-a55", "cortex-a57", "cortex-a72",
        "cortex-a76", "cortex-a710", "neoverse-n1", "neoverse-n2", "neoverse-v1", "a64fx", "max,pauth=off",
        "max,sve=off", "max,pauth-impdef=on", "max,sve128=on", "max,sve=off,pauth=off", "max,pmu=off",
        "cortex-a57,pmu=off", "max,sme=off", "max,lpa2=off", "cortex-a15", "cortex-a7"};
    public static final String[] MACHINES = {"virt", "virt", "virt", "virt,virtualization=on", "virt,mte=on",
        "virt,gic-version=3", "virt,secure=on", "virt,gic-version=3,its=off", "virt,highmem=off"};
    public static final String[] SMP = {"1", "1", "2"};
    public static final String[] MEMORY = {"64", "64", "64", "128"};

    /** How many random configurations a run draws ({@code -Dregshim.fidelity.count}, default 6: 36 loads). */
    public static int count() {
        return Integer.getInteger("regshim.fidelity.count", 6);
    }

    /** A drawn configuration QEMU accepted, the stream it saved and the profile read from it. */
    public record Drawn(List<String> config, java.nio.file.Path stream, dev.regshim.profile.Profile profile) {
        @Override
        public String toString() {
            return config.toString();
        }
    }

    /** Saves one configuration's stream; throws {@link dev.regshim.qemu.QemuException} when QEMU refuses it. */
    @FunctionalInterface
    public interface Saver {
        void save(List<String> config, java.nio.file.Path stream);
    }

    /**
     * Draws {@code count} configurations QEMU accepts and saves a stream of each in {@code dir}; combinations QEMU
     * refuses to start (e.g. mte=on with a CPU without MTE, an AArch32 CPU with virtualization=on) are drawn again.
     * Every stream must read the same with and without its vmdesc.
     */
    public static List<Drawn> drawAndSave(long seed, int count, java.nio.file.Path dir, String prefix, Saver saver) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Drawn> out = new ArrayList<>();
        int attempts = 0;
        while (out.size() < count && attempts++ < count * 10) {
            List<String> c = List.of("-M", MACHINES[r.nextInt(MACHINES.length)],
                    "-cpu", CPUS[r.nextInt(CPUS.length)],
                    "-smp", SMP[r.nextInt(SMP.length)],
                    "-m", MEMORY[r.nextInt(MEMORY.length)]);
            java.nio.file.Path f = dir.resolve(prefix + seed + "-" + out.size() + ".mig");
            try {
                saver.save(c, f);
            } catch (dev.regshim.qemu.QemuException e) {
                continue;
            }
            dev.regshim.stream.WalkAgreement.assertWalksAgree(f);
            out.add(new Drawn(c, f, dev.regshim.profile.source.ProfileSources.resolve(f.toString())));
        }
        return out;
    }
}
