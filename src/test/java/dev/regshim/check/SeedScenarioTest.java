package dev.regshim.check;

import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.KvmValueRule;
import dev.regshim.cpreg.LoadSettings;
import dev.regshim.cpreg.RegIssue;
import dev.regshim.cpreg.Semantics;
import dev.regshim.profile.Profile;
import dev.regshim.profile.source.ProfileSources;
import dev.regshim.regs.CpregArray;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegParser;
import dev.regshim.regs.RegSet;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The seed scenario on kernel profiles: hosts without FEAT_TCR2/FEAT_S1PIE, PMU on. */
class SeedScenarioTest {

    static final RegSet S1PIE_REGS = RegSet.ofIds(RegParser.parse("TCR2_EL1"), RegParser.parse("PIRE0_EL1"), RegParser.parse("PIR_EL1"));
    static final RegSet BMAP_2 = RegSet.ofIds(RegParser.parse("KVM_REG_ARM_VENDOR_HYP_BMAP_2"));

    static CheckResult check(String from, String to, Semantics s, RegSet hidden, RegSet fake) {
        return MigrationCheck.run(ProfileSources.resolve(from), ProfileSources.resolve(to),
                new LoadSettings(s, Accel.KVM, hidden, fake), KvmValueRule.CONSERVATIVE);
    }

    static List<String> unexpectedNames(CheckResult r) {
        return r.vcpus().stream().flatMap(v -> v.outcome().unexpected().stream()).map(RegIssue::id)
                .map(id -> RegCatalog.get().name(id)).distinct().collect(Collectors.toList());
    }

    @Test
    void forwardMigrationFailsUnderStockQemuNamingTheS1pieRegisters() {
        CheckResult r = check("kernel:6.12", "kernel:6.13", Semantics.QEMU_STOCK, null, null);
        assertThat(r.loads()).isFalse();
        assertThat(r.firstError()).isEqualTo("Invalid value 258 expecting positive value <= 255");
        assertThat(unexpectedNames(r)).containsExactly("TCR2_EL1", "PIRE0_EL1", "PIR_EL1");
        assertThat(r.fixes()).anyMatch(f -> f.kind() == Fix.Kind.HIDE && f.explanation().contains("rewrite the stream"));
    }

    @Test
    void forwardMigrationLoadsWithTheSeriesWhenTheDestinationEnforcesThem() {
        CheckResult r = check("kernel:6.12", "kernel:6.13", Semantics.SERIES_V1, null, S1PIE_REGS);
        assertThat(r.loads()).isTrue();
        assertThat(r.vcpus().get(0).outcome().tolerated()).hasSize(3);
        // without the enforced list the series names every unexpected register
        CheckResult plain = check("kernel:6.12", "kernel:6.13", Semantics.SERIES_V1, null, null);
        assertThat(plain.loads()).isFalse();
        assertThat(plain.qemuLines()).contains(
                "kvm_arm_cpu_post_load Unexpected register in input stream: 0 0x603000000013c103 op0:3 op1:0 crn:2 crm:0 op2:3");
    }

    @Test
    void backwardMigrationFailsOnBmap2AndLoadsWhenHidden() {
        CheckResult r = check("kernel:6.17", "kernel:6.14", Semantics.QEMU_STOCK, null, null);
        assertThat(r.loads()).isFalse();
        assertThat(r.firstError()).isEqualTo("Invalid value 256 expecting positive value <= 255");
        assertThat(unexpectedNames(r)).containsExactly("KVM_REG_ARM_VENDOR_HYP_BMAP_2");
        CheckResult hidden = check("kernel:6.17", "kernel:6.14", Semantics.SERIES_V1, BMAP_2, null);
        assertThat(hidden.loads()).isTrue();
        assertThat(hidden.vcpus().get(0).sent().idSet().containsAll(BMAP_2)).isFalse();
    }

    @Test
    void qemu111LoadsBothDirectionsBmap2OnlyWhileZero() {
        CheckResult fwd = check("kernel:6.12", "kernel:6.13", Semantics.QEMU_11_1, null, null);
        assertThat(fwd.loads()).isTrue();
        assertThat(fwd.conditions()).isEmpty();
        CheckResult back = check("kernel:6.17", "kernel:6.14", Semantics.QEMU_11_1, null, null);
        assertThat(back.loads()).isTrue();
        assertThat(back.conditions()).containsExactly("KVM_REG_ARM_VENDOR_HYP_BMAP_2 == 0");

        Profile src = ProfileSources.resolve("kernel:6.17");
        long[] ids = src.vcpus().get(0).cpregs().ids();
        long[] values = new long[ids.length];
        int bmap = src.vcpus().get(0).cpregs().indexOf(BMAP_2.get(0).value());
        values[bmap] = 1; // DISCOVER_IMPL_VER exposed to the guest
        Profile withValue = new Profile(src.provenance(), null, null, null, null,
                List.of(new Profile.Vcpu(0, CpregArray.of(ids, values))), true, true);
        CheckResult nonZero = MigrationCheck.run(withValue, ProfileSources.resolve("kernel:6.14"),
                LoadSettings.of(Semantics.QEMU_11_1, Accel.KVM), KvmValueRule.CONSERVATIVE);
        assertThat(nonZero.loads()).isFalse();
        assertThat(nonZero.firstError()).isEqualTo(
                "handle_cpreg_only_in_incoming_stream: fw feat reg 3 in the incoming stream but unknown on the destination: fail migration");
    }

    @Test
    void stockQemuSilentlyDropsBmap2WhenItSortsAfterTheDestinationsLastRegister() {
        CheckResult r = check("kernel:6.17", "kernel:6.12", Semantics.QEMU_STOCK, null, null);
        assertThat(r.loads()).isTrue();
        assertThat(r.vcpus().get(0).outcome().ignoredTail()).extracting(RegIssue::id).containsExactlyElementsOf(BMAP_2.asList());
        assertThat(r.fixes()).anyMatch(f -> f.explanation().contains("values are dropped"));
    }
}
