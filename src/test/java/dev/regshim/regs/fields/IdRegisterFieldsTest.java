package dev.regshim.regs.fields;

import dev.regshim.regs.RegId;
import dev.regshim.regs.RegParser;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class IdRegisterFieldsTest {

    private static final RegId ISAR1 = RegParser.parse("ID_AA64ISAR1_EL1");
    private static final RegId PFR0 = RegParser.parse("ID_AA64PFR0_EL1");
    private static final RegId MMFR0 = RegParser.parse("ID_AA64MMFR0_EL1");
    private static final RegId CTR = RegParser.parse("CTR_EL0");
    private static final long ISAR1_PAUTH = 0x0011111101211012L;
    private static final long ISAR1_NO_PAUTH = 0x0011111100211002L;

    private static FieldChange only(FieldDiff d) {
        assertThat(d.changes()).hasSize(1);
        return d.changes().get(0);
    }

    /** A value with one field set, for single-field tests. */
    private static long field(int lsb, long v) {
        return v << lsb;
    }

    @Test
    void pointerAuthRemovedIsUnsafeForBothFields() {
        FieldDiff d = IdRegisterFields.diff(ISAR1, ISAR1_PAUTH, ISAR1_NO_PAUTH);
        assertThat(d.summary()).isEqualTo("APA 1\u21920, GPA 1\u21920: features removed");
        assertThat(d.verdict()).isEqualTo(FieldDiff.Verdict.UNSAFE);
        assertThat(d.register()).isEqualTo("ID_AA64ISAR1_EL1");
        FieldChange apa = d.changes().get(0);
        FieldChange gpa = d.changes().get(1);
        assertThat(apa.field()).isEqualTo("APA");
        assertThat(apa.rule()).isEqualTo(SafetyRule.EXACT);
        assertThat(apa.oldName()).isEqualTo("PAuth");
        assertThat(apa.newName()).isEqualTo("NI");
        assertThat(apa.safeForMigration()).isFalse();
        assertThat(apa.reason()).contains("EXACT");
        assertThat(gpa.field()).isEqualTo("GPA");
        assertThat(gpa.rule()).isEqualTo(SafetyRule.LOWER_SAFE);
        assertThat(gpa.msb()).isEqualTo(27);
        assertThat(gpa.lsb()).isEqualTo(24);
        assertThat(gpa.safeForMigration()).isFalse();
        assertThat(gpa.effect()).isEqualTo(FieldChange.Effect.REMOVED);
        assertThat(d.unsafeChanges()).extracting(FieldChange::field).containsExactly("APA", "GPA");
    }

    @Test
    void pointerAuthAppearingIsSafeBecauseTheGuestNeverSawIt() {
        FieldDiff d = IdRegisterFields.diff(ISAR1, ISAR1_NO_PAUTH, ISAR1_PAUTH);
        assertThat(d.summary()).isEqualTo("APA 0\u21921, GPA 0\u21921: features added");
        assertThat(d.verdict()).isEqualTo(FieldDiff.Verdict.SAFE);
        assertThat(d.changes()).allSatisfy(c -> assertThat(c.reason()).contains("not implemented on the source"));
    }

    @Test
    void identicalValues() {
        FieldDiff d = IdRegisterFields.diff(ISAR1, ISAR1_PAUTH, ISAR1_PAUTH);
        assertThat(d.identical()).isTrue();
        assertThat(d.verdict()).isEqualTo(FieldDiff.Verdict.IDENTICAL);
        assertThat(d.summary()).isEqualTo("identical");
    }

    @Test
    void lowerSafeDirection() {
        // LRCPC (23:20): 2 -> 3 is more capable, 3 -> 2 is less
        assertThat(only(IdRegisterFields.diff(ISAR1, field(20, 2), field(20, 3))).safeForMigration()).isTrue();
        FieldChange down = only(IdRegisterFields.diff(ISAR1, field(20, 3), field(20, 2)));
        assertThat(down.safeForMigration()).isFalse();
        assertThat(down.effect()).isEqualTo(FieldChange.Effect.REMOVED);
    }

    @Test
    void signedFieldsCompareSignedAndNiIsFifteen() {
        // ID_AA64PFR0_EL1.FP (19:16) is signed: 0 = IMP, 1 = FP16, 0xf = NI
        FieldChange gone = only(IdRegisterFields.diff(PFR0, field(16, 0), field(16, 0xf)));
        assertThat(gone.safeForMigration()).as("FP IMP -> NI").isFalse();
        assertThat(gone.effect()).isEqualTo(FieldChange.Effect.REMOVED);
        assertThat(gone.newName()).isEqualTo("NI");
        FieldChange appears = only(IdRegisterFields.diff(PFR0, field(16, 0xf), field(16, 0)));
        assertThat(appears.safeForMigration()).as("FP NI -> IMP").isTrue();
        assertThat(appears.effect()).isEqualTo(FieldChange.Effect.ADDED);
        assertThat(only(IdRegisterFields.diff(PFR0, field(16, 1), field(16, 0))).safeForMigration()).as("FP16 -> IMP").isFalse();
        FieldValue fp = IdRegisterFields.decode(PFR0, field(16, 0xf)).stream().filter(f -> f.name().equals("FP")).findFirst().orElseThrow();
        assertThat(fp.signed()).isTrue();
        assertThat(fp.numeric()).isEqualTo(-1);
    }

    @Test
    void higherSafeFieldsGetNoNotImplementedExemption() {
        RegId mmfr1 = RegParser.parse("ID_AA64MMFR1_EL1"); // SpecSEI 27:24, HIGHER_SAFE
        FieldChange better = only(IdRegisterFields.diff(mmfr1, field(24, 1), field(24, 0)));
        assertThat(better.rule()).isEqualTo(SafetyRule.HIGHER_SAFE);
        assertThat(better.safeForMigration()).isTrue();
        FieldChange hazard = only(IdRegisterFields.diff(mmfr1, field(24, 0), field(24, 1)));
        assertThat(hazard.safeForMigration()).isFalse();
        assertThat(hazard.reason()).contains("HIGHER_SAFE");
    }

    @Test
    void higherOrZeroSafeCacheWritebackGranule() {
        // CTR_EL0.CWG (27:24): log2 words; 0 = not given (assume the largest)
        assertThat(only(IdRegisterFields.diff(CTR, field(24, 0), field(24, 4))).safeForMigration()).isTrue();
        assertThat(only(IdRegisterFields.diff(CTR, field(24, 4), field(24, 3))).safeForMigration()).isTrue();
        assertThat(only(IdRegisterFields.diff(CTR, field(24, 3), field(24, 4))).safeForMigration()).isFalse();
        FieldChange unbounded = only(IdRegisterFields.diff(CTR, field(24, 4), field(24, 0)));
        assertThat(unbounded.rule()).isEqualTo(SafetyRule.HIGHER_OR_ZERO_SAFE);
        assertThat(unbounded.safeForMigration()).isFalse();
    }

    @Test
    void exactFieldsAllowOnlyNotImplementedSources() {
        // TGRAN4_2 (43:40): 0 means "as stage 1" (named TGRAN4), 1 is NI, 2 IMP
        assertThat(only(IdRegisterFields.diff(MMFR0, field(40, 0), field(40, 2))).safeForMigration()).isFalse();
        assertThat(only(IdRegisterFields.diff(MMFR0, field(40, 1), field(40, 2))).safeForMigration()).isTrue();
        // DCZID_EL0.DZP (bit 4) has no enum: 0 (DC ZVA allowed) -> 1 (prohibited) must not pass as "not implemented"
        FieldChange dzp = only(IdRegisterFields.diff(RegParser.parse("DCZID_EL0"), 0, field(4, 1)));
        assertThat(dzp.rule()).isEqualTo(SafetyRule.EXACT);
        assertThat(dzp.safeForMigration()).isFalse();
    }

    @Test
    void kvmTreatsPmuVersionsAsLowerSafe() {
        RegId dfr0 = RegParser.parse("ID_AA64DFR0_EL1"); // PMUVer 11:8
        FieldChange up = only(IdRegisterFields.diff(dfr0, field(8, 1), field(8, 4)));
        assertThat(up.rule()).isEqualTo(SafetyRule.LOWER_SAFE);
        assertThat(up.safeForMigration()).isTrue();
        assertThat(only(IdRegisterFields.diff(dfr0, field(8, 4), field(8, 1))).safeForMigration()).isFalse();
    }

    @Test
    void fieldsWithoutARuleAndReservedBitsMustNotChange() {
        FieldChange ls64 = only(IdRegisterFields.diff(ISAR1, 0, field(60, 1)));
        assertThat(ls64.rule()).isEqualTo(SafetyRule.NONE);
        assertThat(ls64.safeForMigration()).isFalse();
        assertThat(ls64.reason()).contains("no safety rule known");
        FieldChange res0 = only(IdRegisterFields.diff(RegParser.parse("ID_PFR0_EL1"), 0, 1L << 40));
        assertThat(res0.field()).isEqualTo("RES0");
        assertThat(res0.safeForMigration()).isFalse();
        assertThat(res0.reason()).contains("RES0");
        FieldDiff midr = IdRegisterFields.diff(RegParser.parse("MIDR_EL1"), 0x410fd0c1L, 0x410fd400L);
        assertThat(midr.changes()).extracting(FieldChange::field).containsExactly("Revision", "PartNum");
        assertThat(midr.verdict()).isEqualTo(FieldDiff.Verdict.UNSAFE);
    }

    @Test
    void decodesEveryBitOnce() {
        List<FieldValue> f = IdRegisterFields.decode(ISAR1, ISAR1_PAUTH);
        assertThat(f.stream().mapToInt(FieldValue::width).sum()).isEqualTo(64);
        assertThat(f.get(0).msb()).isEqualTo(63);
        assertThat(f.get(f.size() - 1).lsb()).isZero();
        assertThat(f.stream().filter(v -> v.name().equals("APA")).findFirst().orElseThrow().enumName()).isEqualTo("PAuth");
        assertThat(f.stream().filter(v -> v.name().equals("LRCPC")).findFirst().orElseThrow())
                .satisfies(v -> assertThat(v.value()).isEqualTo(2)).satisfies(v -> assertThat(v.enumName()).isEqualTo("LRCPC2"));
        // reassembling the fields gives the value back
        long back = 0;
        for (FieldValue v : f) {
            back |= v.value() << v.lsb();
        }
        assertThat(back).isEqualTo(ISAR1_PAUTH);
    }

    @Test
    void everyBundledLayoutCoversSixtyFourBitsWithoutOverlap() {
        FieldLayouts layouts = FieldLayouts.get();
        assertThat(layouts.size()).isGreaterThan(250);
        for (RegId enc : List.of(ISAR1, PFR0, CTR, RegParser.parse("CNTFRQ_EL0"), RegParser.parse("MPIDR_EL1"))) {
            List<FieldDef> defs = layouts.layout(enc).orElseThrow().fields();
            int next = 63;
            for (FieldDef d : defs) {
                assertThat(d.msb()).isEqualTo(next);
                next = d.lsb() - 1;
            }
            assertThat(next).isEqualTo(-1);
        }
    }

    @Test
    void aarch32ViewsDecodeWithTheAarch64Layout() {
        RegId dfr0View = RegId.of(0x40200000200f0082L); // p15 c0 opc1=0 c1 opc2=2
        assertThat(IdRegisterFields.aarch64View(dfr0View)).isEqualTo(RegParser.parse("ID_DFR0_EL1"));
        assertThat(IdRegisterFields.layoutName(dfr0View)).hasValue("ID_DFR0_EL1");
        assertThat(IdRegisterFields.decode(dfr0View, 0x03010066L)).isEqualTo(IdRegisterFields.decode(RegParser.parse("ID_DFR0_EL1"), 0x03010066L));
        assertThat(IdRegisterFields.aarch64View(RegId.aarch32(false, true, 15, 0, 0, 0, 1))).as("CTR").isEqualTo(CTR);
        assertThat(IdRegisterFields.aarch64View(RegId.aarch32(false, true, 15, 0, 0, 1, 1))).as("CLIDR").isEqualTo(RegParser.parse("CLIDR_EL1"));
        assertThat(IdRegisterFields.aarch64View(RegId.aarch32(false, true, 15, 0, 2, 0, 0))).as("ID_ISAR0").isEqualTo(RegParser.parse("ID_ISAR0_EL1"));
        RegId sctlr = RegParser.parse("SCTLR");
        assertThat(IdRegisterFields.aarch64View(sctlr)).isEqualTo(sctlr);
        FieldDiff perfMon = IdRegisterFields.diff(dfr0View, 0x03010066L, 0x00010066L);
        assertThat(perfMon.summary()).isEqualTo("PerfMon 3\u21920: features removed");
    }

    @Test
    void idRegisterClassification() {
        for (String id : List.of("ID_AA64ISAR1_EL1", "ID_AA64PFR0_EL1", "MIDR_EL1", "MPIDR_EL1", "REVIDR_EL1", "CLIDR_EL1",
                "AIDR_EL1", "CTR_EL0", "DCZID_EL0", "ID_PFR0_EL1", "MVFR0_EL1", "S3_0_C0_C7_7", "ID_DFR0", "ID_ISAR6", "CLIDR")) {
            assertThat(IdRegisterFields.isIdRegister(RegParser.parse(id))).as(id).isTrue();
        }
        for (String id : List.of("TCR2_EL1", "CSSELR_EL1", "SCTLR_EL1", "CNTFRQ_EL0", "SCTLR", "VPIDR", "core.PC", "CCSIDR[0]",
                "KVM_REG_ARM_VENDOR_HYP_BMAP_2", "TTBR0_64")) {
            assertThat(IdRegisterFields.isIdRegister(RegParser.parse(id))).as(id).isFalse();
        }
    }

    @Test
    void registersWithoutALayoutAreShownRaw() {
        RegId revidr = RegParser.parse("REVIDR_EL1");
        assertThat(IdRegisterFields.hasLayout(revidr)).isFalse();
        List<FieldValue> f = IdRegisterFields.decode(revidr, 0x1234);
        assertThat(f).singleElement().satisfies(v -> {
            assertThat(v.name()).isEqualTo("VALUE");
            assertThat(v.value()).isEqualTo(0x1234);
            assertThat(v.width()).isEqualTo(64);
        });
        assertThat(IdRegisterFields.decode(RegParser.parse("SCTLR"), 5).get(0).width()).as("32-bit AArch32 register").isEqualTo(32);
        FieldDiff d = IdRegisterFields.diff(revidr, 1, 2);
        assertThat(d.verdict()).isEqualTo(FieldDiff.Verdict.UNSAFE);
        assertThat(d.register()).isEqualTo("REVIDR_EL1");
        assertThat(d.changes().stream().map(FieldChange::field).collect(Collectors.toList())).containsExactly("VALUE");
    }
}
