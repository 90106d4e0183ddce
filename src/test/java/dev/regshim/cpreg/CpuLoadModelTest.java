package dev.regshim.cpreg;

import dev.regshim.regs.CpregArray;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegSet;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CpuLoadModelTest {

    static final long TCR_EL1 = RegId.sysreg(3, 0, 2, 0, 2).value();
    static final long TCR2_EL1 = 0x603000000013c103L;
    static final long PIRE0_EL1 = 0x603000000013c512L;
    static final long PIR_EL1 = 0x603000000013c513L;
    static final long TPIDR_EL1 = 0x603000000013c684L;
    static final long BMAP_2 = 0x6030000000160003L;
    static final long BMAP_1 = 0x6030000000160002L;
    static final long ISAR1 = 0x603000000013c031L;

    static CpregArray arr(long... ids) {
        return CpregArray.of(ids, null);
    }

    static CpregArray arrv(long[] ids, long[] values) {
        return CpregArray.of(ids, values);
    }

    static CpuLoadOutcome load(CpregArray in, CpregArray local, Semantics s, Accel a, RegSet hidden, RegSet fake) {
        return CpuLoadModel.load(0, in, CpuLoadModel.DestinationVcpu.of(local), new LoadSettings(s, a, hidden, fake), null);
    }

    @Test
    void stockRejectsLongerArrayWithTheLengthMessages() {
        CpuLoadOutcome o = load(arr(TCR_EL1, TCR2_EL1, TPIDR_EL1), arr(TCR_EL1, TPIDR_EL1),
                Semantics.QEMU_STOCK, Accel.KVM, null, null);
        assertThat(o.loads()).isFalse();
        assertThat(o.failure()).isEqualTo(FailureKind.LENGTH);
        assertThat(o.qemuLines()).containsExactly(
                "Invalid value 3 expecting positive value <= 2",
                "Failed to load cpu:cpreg_vmstate_array_len",
                "error while loading state for instance 0x0 of device 'cpu'",
                "load of migration failed: Invalid argument");
        // the analysis still names the offending register although QEMU stopped at the length
        assertThat(o.unexpected()).extracting(r -> r.id().value()).containsExactly(TCR2_EL1);
    }

    @Test
    void stockFailsOnUnknownRegisterInsideTheListWithEperm() {
        CpuLoadOutcome o = load(arr(TCR_EL1, TCR2_EL1), arr(TCR_EL1, TPIDR_EL1, BMAP_1),
                Semantics.QEMU_STOCK, Accel.KVM, null, null);
        assertThat(o.failure()).isEqualTo(FailureKind.UNKNOWN_REGISTER);
        assertThat(o.qemuLines()).containsExactly("error while loading state for instance 0x0 of device 'cpu'",
                "load of migration failed: Operation not permitted");
    }

    @Test
    void stockSilentlyIgnoresUnknownRegistersAfterTheLastLocalOne() {
        CpuLoadOutcome o = load(arrv(new long[]{TCR_EL1, BMAP_2}, new long[]{1, 2}), arr(TCR_EL1, TPIDR_EL1, BMAP_1),
                Semantics.QEMU_STOCK, Accel.KVM, null, null);
        assertThat(o.loads()).isTrue();
        assertThat(o.ignoredTail()).extracting(r -> r.id().value()).containsExactly(BMAP_2);
        assertThat(o.missing()).extracting(r -> r.id().value()).containsExactly(TPIDR_EL1, BMAP_1);
    }

    @Test
    void qemu111DetectsTheUnknownTail() {
        CpuLoadOutcome o = load(arrv(new long[]{TCR_EL1, BMAP_2}, new long[]{1, 2}), arr(TCR_EL1, BMAP_1),
                Semantics.QEMU_11_1, Accel.KVM, null, null);
        assertThat(o.loads()).isFalse();
        assertThat(o.qemuLines()).contains(
                "warning: handle_cpreg_missing_in_incoming_stream: fw feat reg 2 expected by the destination but not in the incoming stream: skip it",
                "handle_cpreg_only_in_incoming_stream: fw feat reg 3 in the incoming stream but unknown on the destination: fail migration");
    }

    @Test
    void qemu111ToleratesBmap2OnlyWhileZero() {
        CpregArray local = arrv(new long[]{TCR_EL1}, new long[]{0});
        assertThat(load(arrv(new long[]{TCR_EL1, BMAP_2}, new long[]{0, 0}), local, Semantics.QEMU_11_1, Accel.KVM, null, null)
                .loads()).isTrue();
        assertThat(load(arrv(new long[]{TCR_EL1, BMAP_2}, new long[]{0, 1}), local, Semantics.QEMU_11_1, Accel.KVM, null, null)
                .loads()).isFalse();
    }

    @Test
    void qemu111ToleratesTheS1pieRegistersOnEitherEndAndWarnsForOtherMissingOnes() {
        CpuLoadOutcome fwd = load(arr(TCR_EL1, TCR2_EL1, PIRE0_EL1, PIR_EL1), arr(TCR_EL1), Semantics.QEMU_11_1, Accel.KVM, null, null);
        assertThat(fwd.loads()).isTrue();
        assertThat(fwd.tolerated()).hasSize(3);
        CpuLoadOutcome back = load(arr(TCR_EL1), arr(TCR_EL1, TCR2_EL1, TPIDR_EL1), Semantics.QEMU_11_1, Accel.KVM, null, null);
        assertThat(back.loads()).isTrue();
        assertThat(back.qemuLines()).containsExactly(
                "warning: handle_cpreg_missing_in_incoming_stream: system register op0:3 op1:0 crn:13 crm:0 op2:4 expected by the destination but not in the incoming stream: skip it");
    }

    @Test
    void seriesV1EnforcedRegistersAreFakedOnlyWhereTheKernelLacksThem() {
        RegSet enforced = RegSet.of(TCR2_EL1, PIRE0_EL1, PIR_EL1);
        CpuLoadOutcome o = load(arr(TCR_EL1, TCR2_EL1, PIRE0_EL1, PIR_EL1), arr(TCR_EL1), Semantics.SERIES_V1, Accel.KVM,
                RegSet.empty(), enforced);
        assertThat(o.loads()).isTrue();
        assertThat(o.tolerated()).hasSize(3);
        assertThat(o.lengthLimit()).hasValue(1 + 10 + 3);
        CpuLoadOutcome without = load(arr(TCR_EL1, TCR2_EL1, PIRE0_EL1, PIR_EL1), arr(TCR_EL1), Semantics.SERIES_V1, Accel.KVM,
                RegSet.empty(), RegSet.empty());
        assertThat(without.loads()).isFalse();
        assertThat(without.qemuLines()).containsExactly(
                "kvm_arm_cpu_post_load Unexpected register in input stream: 0 0x603000000013c103 op0:3 op1:0 crn:2 crm:0 op2:3",
                "kvm_arm_cpu_post_load Unexpected register in input stream: 1 0x603000000013c512 op0:3 op1:0 crn:10 crm:2 op2:2",
                "kvm_arm_cpu_post_load Unexpected register in input stream: 2 0x603000000013c513 op0:3 op1:0 crn:10 crm:2 op2:3",
                "error while loading state for instance 0x0 of device 'cpu'",
                "load of migration failed: Operation not permitted");
    }

    @Test
    void seriesV1HiddenRegisterIsNeitherSentNorExpected() {
        RegSet hidden = RegSet.of(BMAP_2);
        LoadSettings s = new LoadSettings(Semantics.SERIES_V1, Accel.KVM, hidden, RegSet.empty());
        CpregArray sent = CpuLoadModel.sourceSends(arr(TCR_EL1, BMAP_1, BMAP_2), s);
        assertThat(sent.ids()).containsExactly(TCR_EL1, BMAP_1);
        assertThat(CpuLoadModel.load(0, sent, CpuLoadModel.DestinationVcpu.of(arr(TCR_EL1, BMAP_1)), s, null).loads()).isTrue();
    }

    @Test
    void seriesV1PropertiesDoNotExistUnderTcg() {
        CpuLoadOutcome o = load(arr(TCR_EL1, TCR2_EL1), arr(TCR_EL1, TPIDR_EL1), Semantics.SERIES_V1, Accel.TCG,
                RegSet.empty(), RegSet.of(TCR2_EL1));
        assertThat(o.loads()).isFalse();
        assertThat(o.notes()).anyMatch(n -> n.contains("KVM vCPUs only"));
    }

    @Test
    void seriesAnomalySlackIsTenRegisters() {
        long[] local = {TCR_EL1};
        long[] eleven = new long[12];
        eleven[0] = TCR_EL1;
        for (int i = 1; i < 12; i++) {
            eleven[i] = RegId.sysreg(3, 0, 13, 0, 0).value() + i;
        }
        CpuLoadOutcome o = load(arr(eleven), arr(local), Semantics.SERIES_V2, Accel.TCG, null, null);
        assertThat(o.failure()).isEqualTo(FailureKind.LENGTH);
        assertThat(o.qemuLines().get(0)).isEqualTo("Invalid value 12 expecting positive value <= 11");
    }

    @Test
    void tcgRejectsADifferentConstantValueAndAZeroedMissingConstant() {
        long[] ids = {ISAR1, TPIDR_EL1};
        CpuLoadOutcome o = load(arrv(ids, new long[]{0x0011111101211012L, 5}), arrv(ids, new long[]{0x0011111100211002L, 0}),
                Semantics.QEMU_STOCK, Accel.TCG, null, null);
        assertThat(o.failure()).isEqualTo(FailureKind.VALUE_REJECTED);
        assertThat(o.conflicts()).extracting(c -> c.id().value()).containsExactly(ISAR1);
        CpuLoadOutcome missing = load(arrv(new long[]{TPIDR_EL1}, new long[]{5}), arrv(ids, new long[]{0x11, 0}),
                Semantics.QEMU_STOCK, Accel.TCG, null, null);
        assertThat(missing.loads()).isFalse();
        assertThat(missing.conflicts().get(0).fromStream()).isFalse();
        CpuLoadOutcome zero = load(arrv(new long[]{TPIDR_EL1}, new long[]{5}), arrv(ids, new long[]{0, 0}),
                Semantics.QEMU_STOCK, Accel.TCG, null, null);
        assertThat(zero.loads()).isTrue();
    }

    @Test
    void unsortedIncomingFailsAsQemuDoes() {
        CpuLoadOutcome o = load(arr(TCR2_EL1, TCR_EL1, TPIDR_EL1), arr(TCR_EL1, TCR2_EL1, TPIDR_EL1),
                Semantics.QEMU_STOCK, Accel.TCG, null, null);
        assertThat(o.loads()).isFalse();
        assertThat(o.failure()).isEqualTo(FailureKind.UNKNOWN_REGISTER);
    }

    @Test
    void aSwapInvolvingTheLastRegisterSlipsThroughStockQemu() {
        // [TPIDR, TCR] against [TCR, TPIDR]: TCR is skipped as missing, TPIDR matches, the trailing TCR is ignored
        CpuLoadOutcome o = load(arr(TPIDR_EL1, TCR_EL1), arr(TCR_EL1, TPIDR_EL1), Semantics.QEMU_STOCK, Accel.TCG, null, null);
        assertThat(o.loads()).isTrue();
        assertThat(o.ignoredTail()).extracting(r -> r.id().value()).containsExactly(TCR_EL1);
    }
}
