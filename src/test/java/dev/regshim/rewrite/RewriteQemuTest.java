package dev.regshim.rewrite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.regshim.cli.Cli;
import dev.regshim.lab.guest.SerialLog;
import dev.regshim.policy.Policy;
import dev.regshim.rewrite.QemuRig.Config;
import dev.regshim.rewrite.QemuRig.Loaded;
import dev.regshim.rewrite.QemuRig.Saved;
import dev.regshim.stream.container.LibvirtFormat;
import dev.regshim.stream.container.SaveImage;
import dev.regshim.testing.CounterGuest;
import dev.regshim.testing.LibvirtImages;
import dev.regshim.testing.QemuTestSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lossless rewriter end to end on real QEMU 7.2: the counter guest runs on a source configuration, is stopped and
 * saved; the stream is rewritten for a different configuration (through the CLI, in-process, or the API) and loaded
 * there; after {@code cont} the count resumes at exactly +1 and the registers the program set are unchanged. Every
 * unmodified stream is also loaded on its destination, which refuses it with the first line {@code regshim check}
 * predicted.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RewriteQemuTest {

    static final Config MAX = Config.of("max", "virt", "max");
    static final Config MAX_NOPAUTH = Config.of("max,pauth=off", "virt", "max,pauth=off");
    static final Config MAX_NOSVE = Config.of("max,sve=off", "virt", "max,sve=off");
    static final Config MAX_EL2 = Config.of("virtualization=on max", "virt,virtualization=on", "max");
    static final Config A57 = Config.of("cortex-a57", "virt", "cortex-a57");
    static final Config A53 = Config.of("cortex-a53", "virt", "cortex-a53");
    static final Config SMP2_NOPAUTH = Config.of("smp2 max,pauth=off", "virt", "max,pauth=off", "-smp", "2");
    static final Config SMP2_MAX = Config.of("smp2 max", "virt", "max", "-smp", "2");

    static final String EPERM_FIRST = "error while loading state for instance 0x0 of device 'cpu'";
    static final long ISAR1_MAX = 0x0011111101211012L;
    static final long ISAR1_NOPAUTH = 0x0011111100211002L;

    @TempDir
    Path dir;

    QemuRig rig;

    @BeforeAll
    void qemu(@TempDir Path shared) {
        rig = new QemuRig(QemuTestSupport.requireQemu(), shared);
        CounterGuest.elf();
    }

    /** A destination that is at least as capable: the rewrite is lossless and the guest continues. */
    record Forward(Config from, Config to, boolean viaCli, String firstError, boolean isar1Changes) {
        @Override
        public String toString() {
            return from + " -> " + to + (viaCli ? " (CLI)" : " (API)");
        }
    }

    static Stream<Forward> forward() {
        return Stream.of(
                new Forward(MAX_NOPAUTH, MAX, true, EPERM_FIRST, true),
                new Forward(MAX_NOSVE, MAX, false, EPERM_FIRST, false),
                new Forward(SMP2_NOPAUTH, SMP2_MAX, true, EPERM_FIRST, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forward")
    void moreCapableDestinationContinuesUnderTheDefaultPolicy(Forward f) {
        Saved src = rig.running(f.from());
        Path template = rig.template(f.to());
        rig.assertUnmodifiedFailsAsPredicted(src, f.to(), f.firstError());

        Path out = dir.resolve("out.mig");
        if (f.viaCli()) {
            Cli.Run r = Cli.run("rewrite", src.stream().toString(), out.toString(), "--to", template.toString());
            assertThat(r.exit()).as(r.all()).isZero();
            assertThat(r.out()).contains("verified:").doesNotContain("REFUSED").doesNotContain("DISCARDED");
        } else {
            StreamRewriter.Result r = StreamRewriter.rewrite(src.stream(), out, RewriteOptionsFor.stream(template,
                    Policy.STRICT));
            assertThat(r.written()).as(r.refusal()).isTrue();
            assertThat(r.plan().lossyChanges()).isEmpty();
            assertThat(r.method()).isEqualTo(StreamRewriter.Method.SPLICE);
        }
        // every vCPU now has exactly the destination's register list
        for (int cpu = 0; cpu < (f.from() == SMP2_NOPAUTH ? 2 : 1); cpu++) {
            int i = cpu;
            assertThat(dev.regshim.profile.source.ProfileSources.resolve(out.toString()).vcpu(i).orElseThrow().cpregs()
                    .idSet()).isEqualTo(dev.regshim.profile.source.ProfileSources.resolve(template.toString()).vcpu(i)
                    .orElseThrow().cpregs().idSet());
        }
        Loaded l = rig.load(f.to(), out);
        QemuRig.assertContinues(src, l, f.isar1Changes());
        long isar1 = QemuRig.value(template, "ID_AA64ISAR1_EL1");
        assertThat(QemuRig.lastIsar1(l)).isEqualTo(isar1);
    }

    /** Pointer authentication would disappear under the guest: refused by default, done and reported when forced. */
    @Test
    void lessCapableDestinationIsRefusedUnlessForced() throws Exception {
        Saved src = rig.running(MAX);
        Path template = rig.template(MAX_NOPAUTH);
        rig.assertUnmodifiedFailsAsPredicted(src, MAX_NOPAUTH, "Invalid value 304 expecting positive value <= 294");

        Path out = dir.resolve("nopauth.mig");
        Cli.Run refused = Cli.run("rewrite", src.stream().toString(), out.toString(), "--to", template.toString());
        assertThat(refused.exit()).as(refused.all()).isEqualTo(1);
        // the error line is one line of at most 200 characters (issue 14); the field detail is in the REFUSED lines
        assertThat(refused.err()).startsWith("regshim: refused: ID_AA64ISAR1_EL1").contains("nothing written")
                .hasLineCount(1);
        assertThat(refused.err().strip()).hasSizeLessThanOrEqualTo(dev.regshim.util.Text.MAX_ERROR_LINE);
        assertThat(refused.all()).contains("APA 1→0").contains("GPA 1→0");
        assertThat(refused.out()).contains("REFUSED ID_AA64ISAR1_EL1").contains("REFUSED APIAKEYLO_EL1");
        assertThat(out).doesNotExist();
        assertThat(QemuRig.tempFilesLeft(dir)).isFalse();

        Path report = dir.resolve("report.json");
        Cli.Run forced = Cli.run("rewrite", src.stream().toString(), out.toString(), "--to", template.toString(),
                "--policy", "force", "--report", report.toString());
        assertThat(forced.exit()).as(forced.all()).isZero();
        assertThat(forced.out()).contains("DISCARDED under --policy force");
        // the report lists exactly what was given up: the ID register and every register the destination lacks
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        Set<String> lossy = new TreeSet<>();
        Set<String> all = new TreeSet<>();
        for (JsonNode c : json.path("vcpus").get(0).path("changes")) {
            all.add(c.path("name").asText());
            if (c.path("lossy").asBoolean()) {
                lossy.add(c.path("name").asText());
            }
        }
        Set<String> expected = new TreeSet<>(QemuRig.onlyIn(src.stream(), template));
        assertThat(expected).hasSize(10).allMatch(n -> n.matches("AP[IDG][AB]?KEY(LO|HI)_EL1"));
        expected.add("ID_AA64ISAR1_EL1");
        assertThat(lossy).isEqualTo(expected);
        assertThat(all).isEqualTo(expected);
        assertThat(json.path("policy").asText()).isEqualTo("force");
        assertThat(json.path("written").asBoolean()).isTrue();

        Loaded l = rig.load(MAX_NOPAUTH, out);
        QemuRig.assertContinues(src, l, true);
        assertThat(QemuRig.lastIsar1(l)).isEqualTo(ISAR1_NOPAUTH);
        assertThat(SerialLog.read(src.serial()).lines().get(0).isar1()).isEqualTo(ISAR1_MAX);
    }

    /**
     * EL2 state would be lost: refused under every policy but force, although QEMU itself loads the forced stream
     * and even runs it, a vCPU at EL2 on a CPU model without EL2.
     */
    @Test
    void el2StateIsNotDroppedEvenThoughQemuWouldLoadIt() {
        Saved src = rig.running(MAX_EL2);
        assertThat(SerialLog.read(src.serial()).lines()).allSatisfy(l -> assertThat(l.el()).isEqualTo(2));
        Path template = rig.template(MAX);
        rig.assertUnmodifiedFailsAsPredicted(src, MAX, "Invalid value 354 expecting positive value <= 304");

        Path out = dir.resolve("el2.mig");
        for (String policy : List.of("strict", "tolerant")) {
            Cli.Run r = Cli.run("rewrite", src.stream().toString(), out.toString(), "--to", template.toString(),
                    "--policy", policy);
            assertThat(r.exit()).as(r.all()).isEqualTo(1);
            assertThat(out).doesNotExist();
            // every register only the source has is refused, among them MDCR_EL2 with its non-zero value
            TreeSet<String> refused = new TreeSet<>();
            r.out().lines().filter(s -> s.startsWith("  REFUSED ")).forEach(s -> refused.add(s.substring(10,
                    s.indexOf(':'))));
            assertThat(refused).as(policy).isEqualTo(QemuRig.onlyIn(src.stream(), template));
            assertThat(refused).contains("HCR_EL2", "MDCR_EL2", "VBAR_EL2", "HDCR");
            assertThat(r.out()).contains("REFUSED MDCR_EL2: the destination does not have it, but its value "
                    + "0x0000000000000006 is not shown to be inert (the vCPU is executing at EL2)");
        }
        Cli.Run forced = Cli.run("rewrite", src.stream().toString(), out.toString(), "--to", template.toString(),
                "--policy", "force");
        assertThat(forced.exit()).as(forced.all()).isZero();
        Loaded l = rig.load(MAX, out);
        assertThat(l.result().loaded()).as("QEMU accepts the forced stream").isTrue();
        QemuRig.assertContinues(src, l, false);
        assertThat(SerialLog.read(l.serial()).lines()).allSatisfy(line -> assertThat(line.el()).isEqualTo(2));
    }

    /** Same register lists, different ID values: the field rules decide, the same way for every run. */
    @Test
    void cortexA57AndA53AreRefusedBothWaysForTheSameReasons() {
        Saved a57 = rig.running(A57);
        Saved a53 = rig.running(A53);
        Path t57 = rig.template(A57);
        Path t53 = rig.template(A53);
        rig.assertUnmodifiedFailsAsPredicted(a57, A53, EPERM_FIRST);
        rig.assertUnmodifiedFailsAsPredicted(a53, A57, EPERM_FIRST);

        List<String> to53 = refusals(a57.stream(), t53);
        assertThat(to53).containsExactly(
                "QEMU_DBGDEVID1: the destination only accepts 0x0000000000000001 but the guest saw 0x0000000000000002:"
                        + " 0x0000000000000002 → 0x0000000000000001: no field layout or safety rule known",
                "QEMU_DBGDEVID: the destination only accepts 0x0000000000110f13 but the guest saw 0x0000000001110f13:"
                        + " 0x0000000001110f13 → 0x0000000000110f13: no field layout or safety rule known",
                "CTR: the destination only accepts 0x0000000084448004 but the guest saw 0x000000008444c004: L1Ip 3→2:"
                        + " fields changed — EXACT: must stay equal (3 PIPT → 2 VIPT)",
                "ID_AA64MMFR0_EL1: the destination only accepts 0x0000000000001122 but the guest saw"
                        + " 0x0000000000001124: PARANGE 4→2: features removed — LOWER_SAFE: the destination offers"
                        + " less than the guest saw (4 44 → 2 40)",
                "CTR_EL0: the destination only accepts 0x0000000084448004 but the guest saw 0x000000008444c004:"
                        + " L1Ip 3→2: fields changed — EXACT: must stay equal (3 PIPT → 2 VIPT)");
        List<String> to57 = refusals(a53.stream(), t57);
        assertThat(to57).extracting(s -> s.substring(0, s.indexOf(':')))
                .containsExactly("QEMU_DBGDEVID1", "QEMU_DBGDEVID", "CTR", "CTR_EL0");
        assertThat(to57.get(2)).contains("L1Ip 2→3").contains("EXACT");
        // stable: another run of the guest, and the paused template as the source, give the same decisions
        assertThat(refusals(rig.runAndSave(A57).stream(), t53)).isEqualTo(to53);
        assertThat(refusals(t57, t53)).isEqualTo(to53);

        // forced, QEMU loads it (only since the model knows QEMU's DBGDEVID encodings) and the guest continues
        Path out = dir.resolve("a57-a53.mig");
        StreamRewriter.Result r = StreamRewriter.rewrite(a57.stream(), out, RewriteOptionsFor.stream(t53, Policy.FORCE));
        assertThat(r.written()).isTrue();
        assertThat(r.plan().lossyChanges()).hasSize(5);
        QemuRig.assertContinues(a57, rig.load(A53, out), false);
    }

    private static List<String> refusals(Path source, Path template) {
        StreamRewriter.Result r = StreamRewriter.rewrite(source, source.resolveSibling("never-written.mig"),
                RewriteOptionsFor.stream(template, Policy.STRICT));
        assertThat(r.written()).isFalse();
        List<String> out = new ArrayList<>();
        r.plan().refusals().forEach(f -> out.add(dev.regshim.regs.RegCatalog.get().name(f.id()) + ": " + f.reason()));
        return out;
    }

    /** A libvirt save image around a real stream, rewritten into a new image in the same format. */
    @Test
    void libvirtSaveImagesAreRewrittenInTheirFormat() throws Exception {
        Saved src = rig.running(MAX_NOPAUTH);
        Path template = rig.template(MAX);
        for (LibvirtFormat format : List.of(LibvirtFormat.XZ, LibvirtFormat.RAW)) {
            Path image = LibvirtImages.build(dir.resolve("in-" + format + ".img"), src.stream(), format);
            Path out = dir.resolve("out-" + format + ".img");
            Cli.Run r = Cli.run("rewrite", image.toString(), out.toString(), "--to", template.toString());
            assertThat(r.exit()).as(r.all()).isZero();
            assertThat(r.out()).contains("libvirt header and XML area byte-identical");
            SaveImage in = SaveImage.open(image);
            SaveImage back = SaveImage.open(out);
            assertThat(back.kind()).isEqualTo(SaveImage.Kind.LIBVIRT_SAVE);
            assertThat(back.libvirtFormat()).isEqualTo(in.libvirtFormat());
            assertThat(back.prefix()).isEqualTo(in.prefix());
            assertThat(back.domainXml()).isEqualTo(LibvirtImages.DOMAIN_XML);
            Path extracted = dir.resolve("extracted-" + format + ".mig");
            try (InputStream s = back.openStream()) {
                Files.copy(s, extracted);
            }
            QemuRig.assertContinues(src, rig.load(MAX, extracted), true);
        }
    }

    /** {@code regshim rewrite - - --to T}: standard input to standard output. */
    @Test
    void stdinToStdout() throws Exception {
        Saved src = rig.running(MAX_NOPAUTH);
        Path template = rig.template(MAX);
        Path out = dir.resolve("stdout.mig");
        InputStream oldIn = System.in;
        PrintStream oldOut = System.out;
        Cli.Run r;
        try (InputStream in = Files.newInputStream(src.stream());
             OutputStream file = Files.newOutputStream(out);
             PrintStream ps = new PrintStream(file, false)) {
            System.setIn(in);
            System.setOut(ps);
            r = Cli.run("rewrite", "-", "-", "--to", template.toString());
            ps.flush();
        } finally {
            System.setIn(oldIn);
            System.setOut(oldOut);
        }
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("verified:").contains("wrote");
        long added = QemuRig.onlyIn(template, src.stream()).size();
        assertThat(added).isEqualTo(10);
        assertThat(Files.size(out)).isEqualTo(Files.size(src.stream()) + 16 * added);
        QemuRig.assertContinues(src, rig.load(MAX, out), true);
    }
}
