package dev.regshim.plan;

import dev.regshim.kernel.KernelFeature;
import dev.regshim.policy.FeatureGates;
import dev.regshim.regs.CpregArray;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;
import dev.regshim.regs.WellKnownRegs;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * A CPU feature a guest may see, which decides whether a register one host lists and another does not is
 * guest-visible. Each maps to the kernel feature that gates it in the embedded kernel database, to the ID register
 * field a guest reads it from (through {@link FeatureGates} where it has one), and to what an operator does when
 * hosts disagree on it: a register set difference caused by a CPU feature needs a CPU-model change, not a compat
 * list.
 */
public enum GuestFeature {
    PMU(KernelFeature.PMU, null, "PMUv3", "ID_AA64DFR0_EL1.PMUVer", false,
            "give every VM the same PMU setting: -cpu host,pmu=off on the hosts that have it (or pmu=on on the others, "
                    + "if their CPUs have a PMU)"),
    SVE(KernelFeature.SVE, FeatureGates.SVE, "FEAT_SVE", "ID_AA64PFR0_EL1.SVE", false,
            "disable SVE on the hosts that have it: -cpu host,sve=off (or keep them in a separate migration pool)"),
    PAUTH(KernelFeature.PAUTH, FeatureGates.PAUTH, "pointer authentication", "ID_AA64ISAR1_EL1.APA/API/GPA/GPI", false,
            "disable pointer authentication on the hosts that have it: -cpu host,pauth=off (or keep them in a separate "
                    + "migration pool)"),
    MTE(KernelFeature.MTE, FeatureGates.MTE, "FEAT_MTE2", "ID_AA64PFR1_EL1.MTE", false,
            "start VMs without -M virt,mte=on on the hosts that have it (or keep MTE VMs in a separate migration pool)"),
    EL2(KernelFeature.EL2, FeatureGates.EL2, "EL2 (nested virtualization)", "ID_AA64PFR0_EL1.EL2", false,
            "start VMs with -M virt,virtualization=off, or keep nested-virt VMs in a separate migration pool"),
    E2H0(KernelFeature.E2H0, null, "nVHE-only nested virtualization (E2H0)", "ID_AA64MMFR4_EL1.E2H0", false,
            "keep VMs with E2H0 nested virtualization in a separate migration pool"),
    FGT(KernelFeature.FGT, null, "FEAT_FGT (nested)", "ID_AA64MMFR0_EL1.FGT", false,
            "keep nested-virt VMs of hosts with FEAT_FGT in a separate migration pool"),
    FGT2(KernelFeature.FGT2, null, "FEAT_FGT2 (nested)", "ID_AA64MMFR0_EL1.FGT", false,
            "keep nested-virt VMs of hosts with FEAT_FGT2 in a separate migration pool"),
    TCR2(KernelFeature.TCR2, FeatureGates.TCR2, "FEAT_TCR2", "ID_AA64MMFR3_EL1.TCRX", true, null),
    S1PIE(KernelFeature.S1PIE, FeatureGates.S1PIE, "FEAT_S1PIE", "ID_AA64MMFR3_EL1.S1PIE", true, null),
    S1POE(KernelFeature.S1POE, FeatureGates.S1POE, "FEAT_S1POE", "ID_AA64MMFR3_EL1.S1POE", true, null),
    SCTLR2(KernelFeature.SCTLR2, FeatureGates.SCTLR2, "FEAT_SCTLR2", "ID_AA64MMFR3_EL1.SCTLRX", true, null),
    FPMR(KernelFeature.FPMR, FeatureGates.FPMR, "FEAT_FPMR", "ID_AA64PFR2_EL1.FPMR", true, null);

    /** The PMU registers {@code pmu_visibility} gates (PMCEID0/1 are ID registers, always listed). */
    private static final Pattern PMU_REGISTER = Pattern.compile(
            "PM(CR|CNTEN(SET|CLR)|OVS(SET|CLR)|SWINC|SELR|CCNTR|USERENR|INTEN(SET|CLR)|EVCNTR\\d+|EVTYPER\\d+|CCFILTR|XEVCNTR|XEVTYPER)_EL[01]");
    private static final RegId ID_AA64DFR0 = WellKnownRegs.ID_AA64DFR0_EL1;
    private static final int PMUVER_SHIFT = 8;
    private static final int FIELD_MASK = 0xf;
    private static final int PMUVER_IMPDEF = 0xf;

    private final KernelFeature kernelFeature;
    private final FeatureGates.Feature gate;
    private final String title;
    private final String idField;
    private final boolean hostCpuFeature;
    private final String remedy;

    GuestFeature(KernelFeature kernelFeature, FeatureGates.Feature gate, String title, String idField,
                 boolean hostCpuFeature, String remedy) {
        this.kernelFeature = kernelFeature;
        this.gate = gate;
        this.title = title;
        this.idField = idField;
        this.hostCpuFeature = hostCpuFeature;
        this.remedy = remedy;
    }

    public KernelFeature kernelFeature() {
        return kernelFeature;
    }

    /** {@code FEAT_TCR2}, {@code pointer authentication}, ... */
    public String title() {
        return title;
    }

    /** Where a guest reads it: {@code ID_AA64MMFR3_EL1.TCRX}. */
    public String idField() {
        return idField;
    }

    /**
     * True for features of the host CPU that KVM passes through and QEMU has no {@code -cpu} switch for (TCR2, S1PIE,
     * ...): a kernel lists their registers only when the guest sees the feature (6.13+), so listing them says nothing
     * by itself on older kernels that list them always.
     */
    public boolean hostCpuFeature() {
        return hostCpuFeature;
    }

    /** What to do when hosts disagree on this feature. */
    public String remedy() {
        if (remedy != null) {
            return remedy;
        }
        return "keep the hosts with " + title + " in a separate migration pool: QEMU has no -cpu switch for it "
                + "(a CPU model that clears " + idField + " through KVM's writable ID registers would also do)";
    }

    /** The feature that gates a register's existence for the guest, if regshim knows one. */
    public static Optional<GuestFeature> gating(RegId id) {
        if (PMU_REGISTER.matcher(RegCatalog.get().name(id)).matches()) {
            return Optional.of(PMU);
        }
        Optional<FeatureGates.Feature> g = FeatureGates.gate(id);
        if (g.isEmpty()) {
            return Optional.empty();
        }
        FeatureGates.Feature f = g.get();
        if (f == FeatureGates.PAUTH3) {
            return Optional.of(PAUTH);
        }
        for (GuestFeature gf : values()) {
            if (gf.gate == f) {
                return Optional.of(gf);
            }
        }
        return Optional.empty(); // SME (never listed), EL3 (AArch32 secure banks under TCG)
    }

    /** Whether the guest's own ID registers in this array show the feature; empty when the array has no values. */
    public Optional<Boolean> presentIn(CpregArray guest) {
        if (this == PMU) {
            OptionalLong dfr0 = guest.valueOf(ID_AA64DFR0);
            if (dfr0.isEmpty()) {
                return Optional.empty();
            }
            int ver = (int) ((dfr0.getAsLong() >>> PMUVER_SHIFT) & FIELD_MASK);
            return Optional.of(ver != 0 && ver != PMUVER_IMPDEF);
        }
        if (gate == null) {
            return Optional.empty();
        }
        return FeatureGates.present(gate, guest);
    }
}
