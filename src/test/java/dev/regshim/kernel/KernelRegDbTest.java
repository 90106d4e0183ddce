package dev.regshim.kernel;

import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegClass;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegParser;
import dev.regshim.regs.RegSet;
import dev.regshim.regs.RegSetDiff;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class KernelRegDbTest {

    static final String ALL_HOST_FEATURES = "+tcr2+s1pie+s1poe+sctlr2+fpmr+fgt2";
    /** Registers of the selftest base list that its feat_id_regs[] makes optional (6.12+). */
    static final RegSet FEAT_ID_REGS = names("TCR2_EL1", "PIRE0_EL1", "PIR_EL1", "POR_EL1", "POR_EL0", "SCTLR2_EL1");

    static RegSet names(String... names) {
        return RegSet.of(Arrays.stream(names).map(RegParser::parse).collect(Collectors.toList()));
    }

    static RegSet regs(String spec) {
        return KernelRegDb.parseSpec(spec).regs();
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(strings = {"6.1", "6.6", "6.8", "6.10", "6.12", "6.13", "6.14", "6.17", "6.18"})
    void containsTheSelftestBlessedListForMatchingFeatures(String version) {
        Map<String, RegSet> lists = SelftestLists.load(version);
        assertThat(lists).containsKeys("base", "pmu", "vregs", "sve", "pauth_address", "pauth_generic");

        RegSet noSve = regs(version + "+pauth+el2" + ALL_HOST_FEATURES);
        RegSet expectedNoSve = SelftestLists.union(lists, "base", "pmu", "vregs", "pauth_address", "pauth_generic", "el2");
        // ZCR_EL2 is a feat_id_regs entry gated on ID_AA64PFR0_EL1.SVE: an NV vCPU without SVE lacks it
        assertThat(expectedNoSve.minus(noSve)).as("selftest IDs missing from %s without SVE", version)
                .isEqualTo(lists.getOrDefault("el2", RegSet.empty()).intersect(names("ZCR_EL2")));

        RegSet withSve = regs(version + "+sve+pauth+el2" + ALL_HOST_FEATURES);
        RegSet expectedSve = SelftestLists.union(lists, "base", "pmu", "sve", "pauth_address", "pauth_generic", "el2");
        assertThat(expectedSve.minus(withSve)).as("selftest IDs missing from %s with SVE", version).isEmpty();
        assertThat(withSve.intersect(lists.get("vregs"))).as("V0-V31 are replaced by SVE").isEmpty();

        // The default host (PMU, nothing else) lacks exactly the optional feat_id_regs the base list has.
        RegSet defaults = regs(version);
        RegSet missing = SelftestLists.union(lists, "base", "pmu", "vregs").minus(defaults);
        assertThat(missing).as("only feat_id_regs may be missing on the default host").isEqualTo(
                lists.get("base").intersect(FEAT_ID_REGS).minus(unconditionalBefore613(version)));
    }

    /** ≤6.12 lists TCR2_EL1, PIRE0_EL1 and PIR_EL1 unconditionally. */
    private static RegSet unconditionalBefore613(String version) {
        return KernelVersion.parse(version).atLeast(6, 13) ? RegSet.empty() : names("TCR2_EL1", "PIRE0_EL1", "PIR_EL1");
    }

    @Test
    void setSizesOfKvmRegsMdSection5() {
        // P1: no SVE, no pauth, PMU; P2: SVE, pauth, PMU. v6.1 counted without its host-dependent DEMUX IDs.
        String[][] rows = {{"6.1+clidr=0", "313", "342"}, {"6.6", "333", "362"}, {"6.8", "333", "362"}, {"6.10", "333", "362"},
            {"6.12", "333", "362"}, {"6.13", "330", "359"}, {"6.14", "330", "359"}, {"6.17", "331", "360"}, {"6.18", "331", "360"}};
        for (String[] r : rows) {
            assertThat(regs(r[0]).size()).as("P1 %s", r[0]).isEqualTo(Integer.parseInt(r[1]));
            assertThat(regs(r[0] + "+sve+pauth").size()).as("P2 %s", r[0]).isEqualTo(Integer.parseInt(r[2]));
        }
    }

    @Test
    void seedFact612To613RemovesExactlyTcr2Pire0Pir() {
        RegSetDiff d = regs("6.12").diff(regs("6.13"));
        assertThat(d.onlyLeft()).isEqualTo(names("TCR2_EL1", "PIRE0_EL1", "PIR_EL1"));
        assertThat(d.onlyRight()).isEmpty();
        assertThat(KernelRegDb.parseSpec("6.12").cpregs().minus(KernelRegDb.parseSpec("6.13").cpregs()))
                .isEqualTo(names("TCR2_EL1", "PIRE0_EL1", "PIR_EL1"));
        // on a FEAT_TCR2/S1PIE/S1POE host nothing changes for an EL1 guest; an NV vCPU gains the EL2 twins
        String v94 = "+tcr2+s1pie+s1poe";
        assertThat(regs("6.13" + v94)).isEqualTo(regs("6.12" + v94));
        RegSetDiff nv = regs("6.12+el2" + v94).diff(regs("6.13+el2" + v94));
        assertThat(nv.onlyLeft()).isEmpty();
        assertThat(nv.onlyRight()).isEqualTo(names("TCR2_EL2", "PIRE0_EL2", "PIR_EL2", "POR_EL2"));
    }

    @Test
    void seedFact614To617AddsExactlyVendorHypBmap2() {
        RegSetDiff d = regs("6.14").diff(regs("6.17"));
        assertThat(d.onlyRight()).isEqualTo(RegSet.of(0x6030000000160003L));
        assertThat(d.onlyLeft()).isEmpty();
        assertThat(RegCatalog.get().name(d.onlyRight().get(0))).isEqualTo("KVM_REG_ARM_VENDOR_HYP_BMAP_2");
    }

    @Test
    void beyondTheDefaults614To617AlsoChangesSctlr2AndTheNestedVirtLists() {
        // a FEAT_SCTLR2 host gains SCTLR2_EL1 too
        assertThat(regs("6.17+sctlr2").minus(regs("6.14+sctlr2"))).isEqualTo(names("KVM_REG_ARM_VENDOR_HYP_BMAP_2", "SCTLR2_EL1"));
        // an NV vCPU on a host without FGT: FGT registers now need FEAT_FGT, RVBAR_EL2 and ICH_HCR_EL2 go,
        // VNCR_EL2, VDISR_EL2 and VSESR_EL2 arrive
        RegSetDiff nv = regs("6.14+el2").diff(regs("6.17+el2"));
        assertThat(nv.onlyLeft()).isEqualTo(names("HFGRTR_EL2", "HFGWTR_EL2", "HDFGRTR_EL2", "HDFGWTR_EL2", "HAFGRTR_EL2",
                "RVBAR_EL2", "ICH_HCR_EL2"));
        assertThat(nv.onlyRight()).isEqualTo(names("KVM_REG_ARM_VENDOR_HYP_BMAP_2", "VNCR_EL2", "VDISR_EL2", "VSESR_EL2"));
    }

    @Test
    void inferredVersionsAre614PlusBmap2() {
        for (String v : new String[]{"6.15", "6.16"}) {
            KernelRegList l = KernelRegDb.parseSpec(v + "+sctlr2");
            assertThat(l.inferred()).isEqualTo(v.equals("6.15"));
            assertThat(l.regs().minus(regs("6.14+sctlr2"))).as(v).isEqualTo(names("KVM_REG_ARM_VENDOR_HYP_BMAP_2"));
            assertThat(regs("6.14+sctlr2").minus(l.regs())).isEmpty();
            if (l.inferred()) {
                assertThat(l.listing(RegId.fwFeatBmap(3)).orElseThrow().note()).contains("first released in 6.15");
            }
        }
        // observed on real 6.16.12: the GICv3 EL2 registers and VNCR_EL2 are listed with el2
        RegSet el2Extra = regs("6.16+el2").minus(regs("6.14+el2"));
        assertThat(el2Extra).contains(RegId.fwFeatBmap(3), RegId.sysreg(3, 4, 2, 2, 0), RegId.sysreg(3, 4, 12, 12, 0));
        assertThat(el2Extra).hasSize(1 + 1 + 25);
        assertThat(KernelRegDb.parseSpec("6.17").inferred()).isFalse();
    }

    @Test
    void demuxFollowsTheHostClidrOnlyBefore63() {
        RegSet demuxAll = RegSet.of(java.util.stream.IntStream.range(0, 14).mapToObj(RegId::ccsidr).collect(Collectors.toList()));
        assertThat(demux("6.1")).as("default: split L1, unified L2").isEqualTo(RegSet.ofIds(RegId.ccsidr(0), RegId.ccsidr(1), RegId.ccsidr(2)));
        assertThat(demux("6.1+clidr=0")).isEmpty();
        assertThat(demux("6.1+clidr=0x1")).as("L1 instruction only").isEqualTo(RegSet.ofIds(RegId.ccsidr(1)));
        assertThat(demux("6.1+clidr=0x2")).as("L1 data only").isEqualTo(RegSet.ofIds(RegId.ccsidr(0)));
        assertThat(demux("6.1+clidr=0x5")).as("reserved Ctype").isEmpty();
        assertThat(demux("6.1+clidr=0x" + Long.toHexString(0x3L | 3L << 3 | 4L << 6 | 4L << 18))).as("L7 unified, gap at L5/L6 stops nothing")
                .isEqualTo(RegSet.ofIds(RegId.ccsidr(0), RegId.ccsidr(1), RegId.ccsidr(2), RegId.ccsidr(3), RegId.ccsidr(4), RegId.ccsidr(12)));
        assertThat(demux("6.6+clidr=0")).isEqualTo(demuxAll);
        assertThat(demux("6.18")).isEqualTo(demuxAll);
    }

    private static RegSet demux(String spec) {
        return regs(spec).filter(id -> RegId.of(id).regClass() == RegClass.DEMUX_CCSIDR);
    }

    @Test
    void featureGates() {
        assertThat(regs("6.13+pauth").minus(regs("6.13"))).hasSize(10);
        assertThat(regs("6.13+mte").minus(regs("6.13"))).isEqualTo(names("RGSR_EL1", "GCR_EL1", "TFSR_EL1", "TFSRE0_EL1"));
        assertThat(regs("6.13").minus(regs("6.13-pmu"))).hasSize(74);
        assertThat(regs("6.12+fpmr").minus(regs("6.12"))).isEqualTo(names("FPMR"));
        assertThat(regs("6.10+fpmr")).isEqualTo(regs("6.10"));
        assertThat(regs("6.12+s1poe").minus(regs("6.12"))).isEqualTo(names("POR_EL0", "POR_EL1"));
        assertThat(regs("6.13+tcr2+s1pie").minus(regs("6.13"))).isEqualTo(names("TCR2_EL1", "PIRE0_EL1", "PIR_EL1"));
        assertThat(regs("6.1+el2")).as("no NV in 6.1").isEqualTo(regs("6.1"));
        assertThat(regs("6.6+el2").minus(regs("6.6"))).hasSize(36);
        RegSetDiff sve = regs("6.13").diff(regs("6.13+sve"));
        assertThat(sve.onlyLeft()).hasSize(32).allMatch(id -> id.regClass() == RegClass.CORE);
        assertThat(sve.onlyRight()).hasSize(51).contains(RegParser.parse("ZCR_EL1"), RegId.of(0x606000000015ffffL));
        // 6.18's E2H0 (nVHE-only NV) hides CNTHV_*_EL2 and VNCR_EL2
        assertThat(regs("6.18+el2+fgt2").minus(regs("6.18+e2h0+fgt2")))
                .isEqualTo(names("CNTHV_CTL_EL2", "CNTHV_CVAL_EL2", "VNCR_EL2"));
    }

    @Test
    void cpregListIsEverythingButCoreAndSve() {
        KernelRegList l = KernelRegDb.parseSpec("6.13+sve+pauth");
        assertThat(l.cpregs()).isEqualTo(l.regs().filter(id -> RegId.of(id).syncsViaCpregList()));
        assertThat(l.cpregs()).noneMatch(id -> id.regClass() == RegClass.CORE || id.regClass() == RegClass.SVE);
        assertThat(l.regs().size() - l.cpregs().size()).isEqualTo(43 + 50);
        assertThat(KernelRegDb.cpregList(KernelVersion.parse("6.13"), KernelFeatures.defaults())).hasSize(255);
        assertThat(KernelRegDb.regList(KernelVersion.parse("6.13"), KernelFeatures.defaults())).hasSize(330);
    }

    @Test
    void everyListedRegisterSaysWhy() {
        for (KernelVersion v : KernelVersion.known()) {
            KernelRegList l = KernelRegDb.listing(new KernelHost(v, KernelFeatures.parse("+sve+pauth+mte+el2" + ALL_HOST_FEATURES)));
            assertThat(l.listings()).hasSize(l.size());
            for (RegId id : l.regs()) {
                assertThat(l.listing(id)).as("%s %s", v, id).isPresent();
            }
        }
        KernelRegList l613 = KernelRegDb.parseSpec("6.13+tcr2");
        RegListing tcr2 = l613.listing(RegParser.parse("TCR2_EL1")).orElseThrow();
        assertThat(tcr2.visibility()).isEqualTo("tcr2_visibility");
        assertThat(tcr2.why()).isEqualTo("sys_reg_descs, tcr2_visibility: vm.ID_AA64MMFR3_EL1.TCRX>=IMP");
        assertThat(KernelRegDb.parseSpec("6.12").listing(RegParser.parse("TCR2_EL1")).orElseThrow().why()).isEqualTo("sys_reg_descs: always");
        RegId timerCnt = RegId.of(0x603000000013df1aL);
        assertThat(KernelRegDb.parseSpec("6.17").listing(timerCnt).orElseThrow().component()).isEqualTo(Component.TIMER);
        assertThat(KernelRegDb.parseSpec("6.18").listing(timerCnt).orElseThrow().component()).isEqualTo(Component.SYS_REG_DESCS);
        RegId midr = RegParser.parse("MIDR_EL1");
        assertThat(KernelRegDb.parseSpec("6.14").listing(midr).orElseThrow().component()).isEqualTo(Component.INVARIANT);
        assertThat(KernelRegDb.parseSpec("6.17").listing(midr).orElseThrow().component()).isEqualTo(Component.SYS_REG_DESCS);
        assertThat(KernelRegDb.parseSpec("6.13").listing(RegId.of(0x6040000000100054L)).orElseThrow().condition()).isEqualTo("!vcpu.SVE");
    }

    @Test
    void explainsWhyARegisterIsMissing() {
        assertThat(KernelRegDb.explain(KernelHost.of("6.13"), RegParser.parse("TCR2_EL1")))
                .isEqualTo("listed only when vm.ID_AA64MMFR3_EL1.TCRX>=IMP (tcr2_visibility); 6.13+pmu lacks +tcr2");
        assertThat(KernelRegDb.explain(KernelHost.of("6.12"), RegId.fwFeatBmap(3)))
                .isEqualTo("not in KVM 6.12 (first listed in 6.15 (inferred), first observed in 6.16)");
        assertThat(KernelRegDb.explain(KernelHost.parse("6.18+e2h0"), RegParser.parse("CNTHV_CTL_EL2"))).contains("-e2h0");
        assertThat(KernelRegDb.explain(KernelHost.of("6.17"), RegParser.parse("RVBAR_EL2"))).endsWith("(last listed in 6.16)");
        assertThat(KernelRegDb.explain(KernelHost.of("6.13"), RegParser.parse("SVCR"))).contains("never listed");
        assertThat(KernelRegDb.explain(KernelHost.parse("6.13+sve"), RegId.of(0x6040000000100054L))).contains("!vcpu.SVE");
        assertThat(KernelRegDb.explain(KernelHost.of("6.13"), RegParser.parse("PIR_EL1"))).contains("+s1pie");
    }

    @Test
    void visibilityFunctionsAgreeWithVisibilityConditionsTsv() {
        Map<String, String> documented = KernelRegDb.visibilityConditions();
        for (KernelVersion v : KernelVersion.known()) {
            for (KernelRegDb.SysRegRow row : KernelRegDb.get().table(v)) {
                String fn = row.visibility();
                if (!row.listed() || fn.equals("-") || fn.equals("NULL")) {
                    continue;
                }
                assertThat(documented).as("%s in visibility-conditions.tsv", fn).containsKey(fn);
                String doc = documented.get(fn);
                if (Visibility.ALWAYS.contains(fn)) {
                    assertThat(doc).as(fn).startsWith("always");
                    assertThat(row.condition()).startsWith("always");
                } else if (Visibility.NEVER.contains(fn)) {
                    assertThat(doc).as(fn).containsAnyOf("never", "effectively never");
                } else {
                    assertThat(doc).as(fn).doesNotStartWith("always").doesNotStartWith("never");
                }
            }
        }
    }

    @Test
    void componentTableAgreesWithTheSysRegTablesOnInvariants() {
        // every invariant/ID row of non-sysreg-components.tsv is also listed by each read version's own table
        for (KernelVersion v : KernelVersion.known()) {
            RegSet tableListed = RegSet.of(KernelRegDb.get().table(v).stream().filter(KernelRegDb.SysRegRow::listed)
                    .map(KernelRegDb.SysRegRow::id).collect(Collectors.toList()));
            for (KernelRegDb.ComponentRow c : KernelRegDb.get().components()) {
                if (c.component() == Component.INVARIANT) {
                    assertThat(tableListed.contains(c.id())).as("%s in v%s table", c.name(), v).isTrue();
                }
            }
        }
    }

    @Test
    void specsAreCached() {
        assertThat(KernelRegDb.parseSpec("6.13+sve")).isSameAs(KernelRegDb.parseSpec("v6.13+sve"));
    }

    @Test
    void aStablePointReleaseThatChangesTheListIsItsOwnEntry() {
        RegSet por = RegSet.ofIds(RegParser.parse("POR_EL0"), RegParser.parse("POR_EL1"));
        assertThat(regs("6.12.76+s1poe+nopoe").containsAll(por)).as("before the stable backport").isTrue();
        assertThat(regs("6.12.77+s1poe+nopoe").intersect(por)).as("6.12.77 hides S1POE without CONFIG_ARM64_POE").isEmpty();
        assertThat(regs("6.12.77+s1poe").containsAll(por)).as("built with CONFIG_ARM64_POE").isTrue();
        assertThat(regs("6.12+s1poe+nopoe").containsAll(por)).as("6.12 is the series' first release").isTrue();
        assertThat(regs("7.0+s1poe+nopoe").intersect(por)).isEmpty();
        assertThat(regs("6.18+s1poe+nopoe").containsAll(por)).as("6.18.y's point release is not known: not assumed").isTrue();
        assertThat(KernelRegDb.explain(KernelHost.parse("6.12.77+s1poe+nopoe"), RegParser.parse("POR_EL1")))
                .contains("6.12.77 built without CONFIG_ARM64_POE (+nopoe) clears ID_AA64MMFR3_EL1.S1POE for its guests");
        assertThat(KernelHost.parse("6.12.77+s1poe+nopoe").spec()).isEqualTo("6.12.77+pmu+s1poe+nopoe");
        assertThat(KernelHost.parse("6.13-pmu").spec()).as("round-trips without the default PMU").isEqualTo("6.13-pmu");
        assertThat(KernelHost.parse(KernelHost.parse("6.13-pmu+sve").spec())).isEqualTo(KernelHost.parse("6.13-pmu+sve"));
    }
}
