package dev.regshim.rewrite;

import dev.regshim.cli.Cli;
import dev.regshim.cpreg.TcgConstRegisters;
import dev.regshim.qemu.QemuBinary;
import dev.regshim.regs.CpregArray;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;
import dev.regshim.rewrite.QemuRig.Config;
import dev.regshim.rewrite.QemuRig.Loaded;
import dev.regshim.rewrite.QemuRig.Saved;
import dev.regshim.testing.QemuTestSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The distribution case: a guest saved by QEMU 7.2 ({@code -M virt}, i.e. virt-7.2) is loaded by QEMU 10.0 with
 * {@code -M virt-7.2} and the same {@code -cpu}. The unmodified stream fails (7.2 lists the 32-bit PAR, which 10.0
 * keeps only as PAR_64, and 10.0's CPU models present other ID values); per CPU model the test pins which registers
 * differ, what the field rules decide, and that whatever is written loads and the guest continues in QEMU 10.0.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossVersionRewriteQemuTest {

    static final String PAR = "PAR";

    /**
     * One CPU model.
     *
     * @param only72       registers only 7.2 lists
     * @param constDiffers constant (ID) registers whose values differ
     * @param refused      what the default policy refuses (empty: it rewrites)
     * @param refusedWhy   a field named in the refusals
     */
    record Model(String cpu, Set<String> only72, int constDiffers, Set<String> refused, String refusedWhy) {
        @Override
        public String toString() {
            return cpu;
        }
    }

    static Stream<Model> models() {
        return Stream.of(
                new Model("a64fx", Set.of(PAR, "DACR32_EL2", "IFSR32_EL2"), 0, Set.of(), null),
                new Model("cortex-a57", Set.of(PAR), 2, Set.of("ID_DFR0", "ID_DFR0_EL1"), "MMapTrc 1→0"),
                new Model("max", Set.of(PAR), 21, Set.of("DBGDIDR", "QEMU_DBGDEVID", "ID_DFR0", "ID_DFR1",
                        "ID_DFR0_EL1", "ID_DFR1_EL1", "ID_AA64PFR1_EL1", "ID_AA64DFR0_EL1", "ID_AA64ISAR1_EL1",
                        "ID_AA64MMFR1_EL1", "ID_AA64MMFR3_EL1"), "APA 1→5"));
    }

    QemuRig rig72;
    QemuRig rig10;
    QemuRig rig11;

    @TempDir
    Path dir;

    @BeforeAll
    void qemu(@TempDir Path shared) {
        rig72 = new QemuRig(QemuTestSupport.requireQemu(), shared);
        QemuBinary q10 = QemuTestSupport.requireQemu10();
        rig10 = new QemuRig(q10, shared);
        rig11 = new QemuRig(QemuTestSupport.requireQemu11(), shared);
    }

    static final String ISAR0 = "ID_AA64ISAR0_EL1";

    /**
     * Forward to QEMU 11.1 with the source's machine type: 11.1 no longer lists ID_AA64ISAR0_EL1 under TCG, so every
     * 10.0 stream fails on it. Its CPU model still presents the register, so for a CPU model whose value did not
     * change, the user's declaration that the value is inert is what makes the rewrite lossless; without it the
     * rewrite refuses and says so.
     */
    @ParameterizedTest(name = "10.0 -> 11.1, -cpu {0}")
    @ValueSource(strings = {"cortex-a57", "a64fx"})
    void savedByQemu10LoadsIntoQemu11OnceIsar0IsDeclaredInert(String cpu) {
        Saved src = rig10.running(Config.of(cpu, "virt", cpu));
        Config dst = Config.of(cpu + " (11.1, virt-10.0)", "virt-10.0", cpu);
        Path template = rig11.template(dst);
        assertThat(QemuRig.onlyIn(src.stream(), template)).containsExactly(ISAR0);
        assertThat(QemuRig.onlyIn(template, src.stream())).isEmpty();
        assertThat(constDiffers(QemuRig.cpregs(src.stream()), QemuRig.cpregs(template))).isEmpty();
        rig11.assertUnmodifiedFailsAsPredicted(src, dst, "handle_cpreg_only_in_incoming_stream: system register "
                + "0x1013c030 in the incoming stream but unknown on the destination: fail migration",
                "--semantics", "qemu-11.1");

        Path out = dir.resolve("to11.mig");
        Cli.Run strict = Cli.run("rewrite", src.stream().toString(), out.toString(), "--to", template.toString());
        assertThat(strict.exit()).as(strict.all()).isEqualTo(1);
        long isar0 = QemuRig.value(src.stream(), ISAR0);
        String declaration = String.format("--inert %s=0x%016x", ISAR0, isar0);
        assertThat(strict.out()).contains("REFUSED " + ISAR0).contains(declaration);
        assertThat(out).doesNotExist();

        Cli.Run declared = Cli.run("rewrite", src.stream().toString(), out.toString(), "--to", template.toString(),
                "--inert", declaration.substring("--inert ".length()));
        assertThat(declared.exit()).as(declared.all()).isZero();
        assertThat(declared.out()).containsPattern("dropped +" + ISAR0 + " .*declared inert");
        QemuRig.assertContinues(src, rig11.load(dst, out), false);
    }

    @ParameterizedTest(name = "7.2 -> 10.0, -cpu {0}")
    @MethodSource("models")
    void savedByQemu72LoadsIntoQemu10AfterARewrite(Model m) {
        Saved src = rig72.running(Config.of(m.cpu(), "virt", m.cpu()));
        Config dst = Config.of(m.cpu() + " (10.0, virt-7.2)", "virt-7.2", m.cpu());
        Path template = rig10.template(dst);

        // what differs between the two versions' register lists for this model
        assertThat(QemuRig.onlyIn(src.stream(), template)).isEqualTo(new TreeSet<>(m.only72()));
        assertThat(QemuRig.onlyIn(src.stream(), template)).contains(PAR);
        assertThat(QemuRig.cpregs(src.stream()).idSet().contains(RegId.of(0x40200000200f3a00L))).isTrue();
        assertThat(constDiffers(QemuRig.cpregs(src.stream()), QemuRig.cpregs(template))).hasSize(m.constDiffers());
        // CNTFRQ_EL0 went from 62.5 MHz to 1 GHz in 10.0, but not for the virt-7.2 machine type
        assertThat(QemuRig.value(src.stream(), "CNTFRQ_EL0")).isEqualTo(QemuRig.value(template, "CNTFRQ_EL0"));

        rig10.assertUnmodifiedFailsAsPredicted(src, dst, RewriteQemuTest.EPERM_FIRST);

        Path out = dir.resolve("to10.mig");
        Cli.Run strict = Cli.run("rewrite", src.stream().toString(), out.toString(), "--to", template.toString());
        if (m.refused().isEmpty()) {
            assertThat(strict.exit()).as(strict.all()).isZero();
            for (String dropped : m.only72()) {
                assertThat(strict.out()).containsPattern("dropped +" + dropped + " .*the same state migrates as");
            }
            QemuRig.assertContinues(src, rig10.load(dst, out), false);
            return;
        }
        assertThat(strict.exit()).as(strict.all()).isEqualTo(1);
        TreeSet<String> refused = new TreeSet<>();
        strict.out().lines().filter(s -> s.startsWith("  REFUSED ")).forEach(s -> refused.add(s.substring(10,
                s.indexOf(':'))));
        assertThat(refused).isEqualTo(new TreeSet<>(m.refused()));
        assertThat(strict.out()).contains(m.refusedWhy()).contains("dropped  PAR");
        assertThat(out).doesNotExist();

        // forced, QEMU 10.0 loads it and the guest continues on the 10.0 CPU model's ID values
        Cli.Run forced = Cli.run("rewrite", src.stream().toString(), out.toString(), "--to", template.toString(),
                "--policy", "force");
        assertThat(forced.exit()).as(forced.all()).isZero();
        Loaded l = rig10.load(dst, out);
        QemuRig.assertContinues(src, l, true);
        assertThat(QemuRig.lastIsar1(l)).isEqualTo(QemuRig.value(template, "ID_AA64ISAR1_EL1"));
    }

    /** Names of the constant registers both list with different values. */
    static List<String> constDiffers(CpregArray a, CpregArray b) {
        return java.util.stream.StreamSupport.stream(a.idSet().intersect(b.idSet()).spliterator(), false)
                .filter(TcgConstRegisters::isConst)
                .filter(id -> a.valueOf(id).getAsLong() != b.valueOf(id).getAsLong())
                .map(id -> RegCatalog.get().name(id)).toList();
    }
}
