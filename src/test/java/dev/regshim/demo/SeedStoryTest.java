package dev.regshim.demo;

import dev.regshim.cpreg.Semantics;
import dev.regshim.kernel.KernelHost;
import dev.regshim.plan.CellVerdict;
import dev.regshim.plan.CompatEmitter;
import dev.regshim.plan.FleetPlan;
import dev.regshim.plan.Matrix;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SeedStoryTest {

    /** "6.12->6.13" -> verdict, over the classes (one host each). */
    private static Map<String, CellVerdict> verdicts(FleetPlan p, Matrix m) {
        Map<String, CellVerdict> out = new LinkedHashMap<>();
        m.cells().forEach(c -> out.put(p.classes().get(c.from()).label() + "->" + p.classes().get(c.to()).label(), c.verdict()));
        return out;
    }

    @Test
    void stockQemuOnTheSeedHosts() {
        SeedStory.Result r = SeedStory.run();
        assertThat(r.hosts()).extracting(h -> h.spec()).containsExactly("6.12+pmu", "6.13+pmu", "6.17+pmu", "7.3+pmu");
        assertThat(r.fleet().hosts()).extracting(h -> h.name()).containsExactly("6.12", "6.13", "6.17", "7.3");
        assertThat(r.stock().settings().semantics()).isEqualTo(Semantics.QEMU_STOCK);
        assertThat(verdicts(r.v1(), r.stock())).containsExactly(
                Map.entry("6.12->6.13", CellVerdict.FAILS), Map.entry("6.12->6.17", CellVerdict.FAILS),
                Map.entry("6.12->7.3", CellVerdict.FAILS),
                Map.entry("6.13->6.12", CellVerdict.LOADS), Map.entry("6.13->6.17", CellVerdict.LOADS),
                Map.entry("6.13->7.3", CellVerdict.LOADS),
                Map.entry("6.17->6.12", CellVerdict.LOSS), Map.entry("6.17->6.13", CellVerdict.FAILS),
                Map.entry("6.17->7.3", CellVerdict.LOADS),
                Map.entry("7.3->6.12", CellVerdict.FAILS), Map.entry("7.3->6.13", CellVerdict.FAILS),
                Map.entry("7.3->6.17", CellVerdict.FAILS));
    }

    @Test
    void thePlanUnderEachQemu() {
        SeedStory.Result r = SeedStory.run();
        assertThat(CompatEmitter.globalArgs(r.v1())).containsExactly(
                "-global", "driver=arm-cpu,property=kvm-hidden-regs,value=0x603000000013c4f6,,0x6030000000160003",
                "-global", "driver=arm-cpu,property=kvm-enforced-regs,value=0x603000000013c103,,0x603000000013c512,,0x603000000013c513");
        assertThat(CompatEmitter.globalArgs(r.v2())).containsExactly(
                "-global", "driver=arm-cpu,property=x-mig-hidden-regs,value=0x603000000013c4f6,,0x6030000000160003",
                "-global", "driver=arm-cpu,property=x-mig-safe-missing-regs,value=0x603000000013c103,,0x603000000013c512,,0x603000000013c513");
        assertThat(CompatEmitter.globalArgs(r.qemu111())).isEmpty();
        for (FleetPlan p : List.of(r.v1(), r.v2())) {
            assertThat(p.accepted()).as(p.semantics().label()).isTrue();
            assertThat(p.after().unacceptable()).isEmpty();
            assertThat(p.settings().machine().toString()).isEqualTo("virt-10.1");
        }
        // the newest break: QEMU 11.1's tolerances do not cover PMMIR_EL1, so 7.3 -> older fails under 11.1
        assertThat(r.qemu111().accepted()).isFalse();
        assertThat(verdicts(r.qemu111(), r.qemu111().after())).containsEntry("7.3->6.17", CellVerdict.FAILS)
                .containsEntry("6.17->6.12", CellVerdict.CONDITIONAL).containsEntry("6.12->7.3", CellVerdict.LOADS);
    }

    @Test
    void otherHostsTellTheirOwnStory() {
        SeedStory.Result r = SeedStory.run(List.of(KernelHost.parse("6.14"), KernelHost.parse("6.17")));
        assertThat(r.fleet().hosts()).extracting(h -> h.name()).containsExactly("6.14", "6.17");
        assertThat(r.v1().entries()).extracting(e -> e.name()).containsExactly("KVM_REG_ARM_VENDOR_HYP_BMAP_2");
        SeedStory.Result f = SeedStory.run(List.of(KernelHost.parse("6.13"), KernelHost.parse("6.13+sve")));
        assertThat(f.fleet().hosts()).extracting(h -> h.name()).containsExactly("6.13", "6.13+pmu+sve");
        assertThat(f.v1().accepted()).isFalse();
    }
}
