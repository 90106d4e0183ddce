package dev.regshim.rewrite;

import dev.regshim.testing.RandomConfigs;
import dev.regshim.qemu.QemuBinary;
import dev.regshim.qemu.QemuException;
import dev.regshim.regs.RegParser;
import dev.regshim.cli.Cli;
import dev.regshim.rewrite.QemuRig.Config;
import dev.regshim.rewrite.QemuRig.Loaded;
import dev.regshim.rewrite.QemuRig.Saved;
import dev.regshim.testing.QemuTestSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pairs no test names: a seeded sample of (machine, source CPU, destination CPU) with the counter guest running on
 * the source. Whatever {@code regshim rewrite} writes must load on the destination and the guest must continue at
 * exactly +1 with its registers intact; whatever it refuses must be refused with exit 1, nothing written, and every
 * refusal naming a register. {@code -Dregshim.rewrite.pairs=N} (default 3 per QEMU) and
 * {@code -Dregshim.fidelity.seed=S} widen or replay the sample.
 */
@Tag("qemu")
class RandomRewriteQemuTest {

    /** The counter guest is AArch64 code: the AArch32-only models of the fidelity sample are left out. */
    static final List<String> CPUS = Arrays.stream(RandomConfigs.CPUS)
            .filter(c -> !c.startsWith("cortex-a15") && !c.startsWith("cortex-a7,") && !c.equals("cortex-a7"))
            .toList();
    static final String[] MACHINES = {"virt", "virt", "virt,virtualization=on", "virt,gic-version=3", "virt,mte=on"};

    @TempDir
    Path dir;

    private static String base(String cpu) {
        int comma = cpu.indexOf(',');
        return comma < 0 ? cpu : cpu.substring(0, comma);
    }

    @ParameterizedTest(name = "QEMU {0}")
    @ValueSource(strings = {"7.2", "11.1"})
    void randomPairsContinueOrAreRefusedNamingTheRegisters(String series) {
        QemuBinary qemu = series.equals("7.2") ? QemuTestSupport.requireQemu() : QemuTestSupport.requireQemu11();
        QemuRig rig = new QemuRig(qemu, dir);
        long seed = RandomConfigs.seed(5);
        int pairs = Integer.getInteger("regshim.rewrite.pairs", 3);
        SplittableRandom r = new SplittableRandom(seed);
        List<String> done = new ArrayList<>();
        int attempts = 0;
        while (done.size() < pairs && attempts++ < pairs * 10) {
            String machine = MACHINES[r.nextInt(MACHINES.length)];
            String a = CPUS.get(r.nextInt(CPUS.size()));
            // most unrelated models differ in ID registers the guest relies on (refused); draw a variant of the
            // same model (an option toggled) more often, so that rewrites which must load are sampled too
            List<String> family = CPUS.stream().filter(c -> base(c).equals(base(a))).toList();
            String b = family.size() > 1 && r.nextInt(3) > 0 ? family.get(r.nextInt(family.size()))
                    : CPUS.get(r.nextInt(CPUS.size()));
            if (a.equals(b)) {
                continue;
            }
            String what = "seed " + seed + ", QEMU " + series + ", -M " + machine + ": " + a + " -> " + b;
            Config src = Config.of("src-" + attempts, machine, a);
            Config dst = Config.of("dst-" + attempts, machine, b);
            Saved saved;
            Path template;
            try {
                saved = rig.runAndSave(src);
                template = rig.template(dst);
            } catch (QemuException e) {
                continue; // a combination QEMU refuses to start (e.g. mte=on on a CPU without MTE): draw again
            }
            Path out = dir.resolve("rewritten-" + attempts + ".mig");
            Cli.Run rw = Cli.run("rewrite", saved.stream().toString(), out.toString(), "--to", template.toString());
            if (rw.exit() == 0) {
                Loaded l = rig.load(dst, out);
                assertThat(l.loaded()).as(what + "\n" + rw.all() + "\n" + l.result().summary()).isTrue();
                boolean isar1Changed = rw.out().contains("changed  ID_AA64ISAR1_EL1");
                QemuRig.assertContinues(saved, l, isar1Changed);
                done.add(what + ": rewritten, continues");
            } else {
                assertThat(rw.exit()).as(what + "\n" + rw.all()).isEqualTo(1);
                assertThat(out).as(what).doesNotExist();
                List<String> refused = rw.out().lines().filter(l -> l.startsWith("  REFUSED ")).toList();
                assertThat(refused).as(what + "\n" + rw.all()).isNotEmpty();
                for (String line : refused) {
                    String name = line.substring("  REFUSED ".length(), line.indexOf(':'));
                    assertThat(RegParser.parse(name)).as(what + ": " + line).isNotNull();
                }
                done.add(what + ": refused (" + refused.size() + " registers)");
            }
        }
        done.forEach(System.out::println);
        assertThat(done).as("seed %d: pairs QEMU %s could start", seed, series).hasSize(pairs);
    }
}
