package dev.regshim.cpreg;

import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The single rules of {@link KvmWriteRules}; {@code KvmWriteRulesEvidenceTest} holds them against real kernels. */
class KvmWriteRulesTest {

    private static final RegId MMFR2 = RegCatalog.get().lookup("ID_AA64MMFR2_EL1").iterator().next();
    private static final RegId ISAR2 = RegCatalog.get().lookup("ID_AA64ISAR2_EL1").iterator().next();
    /** Values of a QEMU max host: NV 2 as older kernels list it, and the 6.16+ view with NV hidden. */
    private static final long MMFR2_NV2 = 0x1221011112011011L;
    private static final long MMFR2_HIDDEN = 0x1221011110011011L;
    private static final long MMFR2_MASK = 0xf0ff000ff00fffffL;
    private static final int MMFR2_INDEX = KvmWriteRules.maskIndex(MMFR2);
    private static final int ISAR2_INDEX = KvmWriteRules.maskIndex(ISAR2);
    private static final long ISAR2_MASK = 0xffffffffffff00ffL;

    private static KvmWriteRules kernel(int major, int minor, Map<String, Long> hardware) {
        return KvmWriteRules.of(new int[]{major, minor}, Map.of(MMFR2_INDEX, MMFR2_MASK, ISAR2_INDEX, ISAR2_MASK), hardware);
    }

    @Test
    void from616TheHiddenNvFieldIsDroppedWhenItEqualsTheHardwares() {
        assertThat(kernel(6, 16, Map.of("ID_AA64MMFR2_EL1.NV", 2L)).check(MMFR2, MMFR2_NV2, MMFR2_HIDDEN).accepted()).isTrue();
        assertThat(kernel(6, 16, Map.of("ID_AA64MMFR2_EL1.NV", 1L)).check(MMFR2, MMFR2_NV2, MMFR2_HIDDEN).reason())
                .contains("hardware has 1");
    }

    @Test
    void anUnknownHardwareNvIsRefusedConservatively() {
        KvmValueRule.Verdict v = kernel(7, 3, Map.of()).check(MMFR2, MMFR2_NV2, MMFR2_HIDDEN);
        assertThat(v.accepted()).isFalse();
        assertThat(v.reason()).contains("does not record");
    }

    @Test
    void beforeTheDeltaNvIsOutsideTheWritableMask() {
        assertThat(kernel(6, 12, Map.of("ID_AA64MMFR2_EL1.NV", 2L)).check(MMFR2, MMFR2_HIDDEN, MMFR2_NV2).accepted()).isFalse();
    }

    @Test
    void ats1aMayBeLoweredFrom72Only() {
        long withAts1a = 0x1120000000110012L;
        long without = 0x0120000000110012L;
        assertThat(kernel(7, 2, Map.of()).check(ISAR2, without, withAts1a).accepted()).isTrue();
        assertThat(kernel(7, 1, Map.of()).check(ISAR2, without, withAts1a).accepted()).isFalse();
        assertThat(kernel(7, 3, Map.of()).check(ISAR2, withAts1a, without).accepted()).as("raising").isFalse();
    }

    @Test
    void firmwareVersionsMayNotRise() {
        RegId psci = RegCatalog.get().lookup("KVM_REG_ARM_PSCI_VERSION").iterator().next();
        KvmWriteRules r = kernel(6, 12, Map.of());
        assertThat(r.check(psci, 0x10001, 0x10003).accepted()).isTrue();
        assertThat(r.check(psci, 0x10003, 0x10001).accepted()).isFalse();
    }
}
