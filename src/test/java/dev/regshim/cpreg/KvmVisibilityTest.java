package dev.regshim.cpreg;

import dev.regshim.cli.Cli;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.fields.KvmVisibility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.XZInputStream;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * KVM hides SCTLR2_EL1 once a stream's ID_AA64MMFR3_EL1 without FEAT_SCTLR2 is written: what real QEMU 11.1 printed
 * for 6.12 -> 6.18 and 6.12 -> 7.3 on a host with the feature (the lab matrix on max@11.1), predicted from the
 * committed captures of those kernels on that host.
 */
class KvmVisibilityTest {

    @TempDir
    Path dir;

    Path capture(String name) throws Exception {
        Path f = dir.resolve(name + ".json");
        try (InputStream in = new XZInputStream(KvmVisibilityTest.class.getResourceAsStream(
                "/dev/regshim/data/kvm-captures/" + name + ".json.xz"))) {
            Files.write(f, in.readAllBytes());
        }
        return f;
    }

    @Test
    void gatesNameTheirIdFields() {
        var sctlr2 = KvmVisibility.gate(RegCatalog.get().lookup("SCTLR2_EL1").iterator().next()).orElseThrow();
        assertThat(sctlr2.field().name()).isEqualTo("SCTLRX");
        assertThat(sctlr2.shown(0x10L)).isTrue();
        assertThat(sctlr2.shown(0x101L & ~0xf0L)).isFalse();
        assertThat(KvmVisibility.gate(RegCatalog.get().lookup("SCTLR_EL1").iterator().next())).isEmpty();
    }

    @Test
    void sctlr2HiddenAfterTheOlderKernelsIdValueIsPredictedAsQemu111PrintedIt() throws Exception {
        String set = "#pmu+sve+pauth";
        Cli.Run r = Cli.run("check", "--from", capture("6.12.43-max-11.1") + set, "--to",
                capture("6.18.15-max-11.1") + set, "--to-qemu", "11.1");
        String hidden = "qemu-system-aarch64: Could not set register system register op0:3 op1:0 crn:1 crm:0 op2:3: "
                + "unknown to KVM";
        assertThat(r.exit()).as(r.all()).isEqualTo(1);
        assertThat(r.out()).contains(hidden + "\n  " + hidden + "\n  qemu-system-aarch64: Failed to put registers after "
                + "init: Invalid argument");
        // same kernels on a host without the feature: nothing hidden
        Cli.Run without = Cli.run("check", "--from", capture("6.12.43-max-10.0") + set, "--to",
                capture("6.18.15-max-10.0") + set, "--to-qemu", "11.1");
        assertThat(without.out()).doesNotContain("unknown to KVM");
    }

    /**
     * The rewrite for that direction shows the feature in the planned ID_AA64MMFR3_EL1 (the destination's SCTLRX,
     * a feature added: safe) so that KVM keeps SCTLR2_EL1 visible, and the model then loads it; on a host without
     * the feature nothing is changed.
     */
    @Test
    void theRewriteShowsTheGatedFeatureSoThatTheLoadSucceeds() throws Exception {
        String set = "#pmu+sve+pauth";
        var src = dev.regshim.profile.source.ProfileSources.resolve(capture("6.12.43-max-11.1") + set);
        var dst = dev.regshim.profile.source.ProfileSources.resolve(capture("6.18.15-max-11.1") + set);
        var options = new dev.regshim.policy.RewriteOptions(dst, LoadSettings.of(Semantics.QEMU_11_1, Accel.KVM),
                dev.regshim.policy.Policy.STRICT, java.util.List.of());
        var plan = dev.regshim.policy.RewritePlan.of(src, options);
        assertThat(plan.refused()).as(plan.refusals().toString()).isFalse();
        var mmfr3 = dev.regshim.regs.WellKnownRegs.ID_AA64MMFR3_EL1;
        var change = plan.vcpus().get(0).changes().stream().filter(c -> c.id().equals(mmfr3)).findFirst().orElseThrow();
        var sctlrx = dev.regshim.regs.fields.IdGate.SCTLRX;
        assertThat(sctlrx.shown(change.oldValue().getAsLong())).isFalse();
        assertThat(sctlrx.shown(change.newValue().getAsLong())).isTrue();
        assertThat(change.lossy()).isFalse();
        // only the gate's field moves
        assertThat(change.newValue().getAsLong() & ~(0xfL << sctlrx.field().lsb()))
                .isEqualTo(change.oldValue().getAsLong() & ~(0xfL << sctlrx.field().lsb()));
        assertThat(plan.verdict(src).loads()).as(plan.verdict(src).firstError()).isTrue();

        var dst10 = dev.regshim.profile.source.ProfileSources.resolve(capture("6.18.15-max-10.0") + set);
        var src10 = dev.regshim.profile.source.ProfileSources.resolve(capture("6.12.43-max-10.0") + set);
        var plan10 = dev.regshim.policy.RewritePlan.of(src10, new dev.regshim.policy.RewriteOptions(dst10,
                LoadSettings.of(Semantics.QEMU_11_1, Accel.KVM), dev.regshim.policy.Policy.STRICT, java.util.List.of()));
        assertThat(plan10.vcpus().get(0).changes()).noneMatch(c -> c.id().equals(mmfr3));
    }

    /**
     * From kernel tables (no values): a register kernels list only with its feature, listed by the destination and
     * not by the source, is hidden once the source's ID value is written; the lines are those real 11.1 printed.
     * TCR2_EL1, which 6.5 to 6.12 listed whatever the host, is not inferred so (the seed's 6.13 -> 6.12 loads).
     */
    @Test
    void kernelTablesPredictTheHiddenRegisterFromTheListsAlone() {
        Cli.Run r = Cli.run("check", "--from", "kernel:6.12.43+pmu+sve+pauth+tcr2+s1pie+fpmr+fgt", "--to",
                "kernel:6.18.15+pmu+sve+pauth+tcr2+s1pie+sctlr2+fpmr+fgt", "--accel", "kvm", "--to-qemu", "11.1");
        String hidden = "qemu-system-aarch64: Could not set register system register op0:3 op1:0 crn:1 crm:0 op2:3: "
                + "unknown to KVM";
        assertThat(r.exit()).as(r.all()).isEqualTo(1);
        assertThat(r.out()).contains(hidden + "\n  " + hidden + "\n  qemu-system-aarch64: Failed to put registers after "
                + "init: Invalid argument").contains("KVM hides what the destination keeps");
        Cli.Run same = Cli.run("check", "--from", "kernel:6.12.43+pmu+sve+pauth+tcr2+s1pie+fpmr+fgt", "--to",
                "kernel:6.18.15+pmu+sve+pauth+tcr2+s1pie+fpmr+fgt", "--accel", "kvm", "--to-qemu", "11.1");
        assertThat(same.out()).doesNotContain("unknown to KVM");
    }
}
