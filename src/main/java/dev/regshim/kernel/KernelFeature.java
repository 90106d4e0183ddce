package dev.regshim.kernel;

import dev.regshim.regs.fields.IdGate;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The vCPU, VM and host properties that change the <em>set</em> of IDs {@code KVM_GET_REG_LIST} returns
 * (kvm-regs.md §5). Host CPU features stand for the VM's ID register fields, which default to the host's support.
 */
public enum KernelFeature {
    PMU("pmu", "vCPU KVM_ARM_VCPU_PMU_V3: the 74 PMU registers"),
    SVE("sve", "vCPU KVM_ARM_VCPU_SVE: ZCR_EL1 and the SVE block replace V0-V31"),
    PAUTH("pauth", "vCPU KVM_ARM_VCPU_PTRAUTH_ADDRESS/GENERIC: the 10 AP*KEY* registers"),
    MTE("mte", "VM KVM_CAP_ARM_MTE on an MTE host: RGSR_EL1, GCR_EL1, TFSR_EL1, TFSRE0_EL1"),
    EL2("el2", "vCPU KVM_ARM_VCPU_HAS_EL2 (nested virt): the *_EL2 registers", null, "nv"),
    E2H0("e2h0", "vCPU KVM_ARM_VCPU_HAS_EL2_E2H0 (nVHE-only NV, 6.15+; implies el2): hides CNTHV_*_EL2 (6.18) and VNCR_EL2"),
    TCR2("tcr2", "host FEAT_TCR2 (ID_AA64MMFR3_EL1.TCRX): TCR2_EL1 from 6.13 (listed unconditionally 6.5-6.12)",
            IdGate.TCRX),
    S1PIE("s1pie", "host FEAT_S1PIE (ID_AA64MMFR3_EL1.S1PIE): PIRE0_EL1, PIR_EL1 from 6.13 (unconditional 6.5-6.12)",
            IdGate.S1PIE),
    S1POE("s1poe", "host FEAT_S1POE (ID_AA64MMFR3_EL1.S1POE): POR_EL0, POR_EL1 (6.12+)",
            IdGate.S1POE),
    SCTLR2("sctlr2", "host FEAT_SCTLR2 (ID_AA64MMFR3_EL1.SCTLRX): SCTLR2_EL1 (6.17+)",
            IdGate.SCTLRX),
    FPMR("fpmr", "host FEAT_FPMR (ID_AA64PFR2_EL1.FPMR): FPMR (6.12+)", IdGate.FPMR),
    FGT("fgt", "host FEAT_FGT (ID_AA64MMFR0_EL1.FGT>=1): HFG*TR_EL2/HDFG*TR_EL2/HAFGRTR_EL2 with el2 (6.17+)",
            IdGate.FGT),
    FGT2("fgt2", "host FEAT_FGT2 (ID_AA64MMFR0_EL1.FGT>=2; implies fgt): the *TR2_EL2 registers with el2 (6.17+)",
            IdGate.FGT2),
    NOPOE("nopoe", "kernel built without CONFIG_ARM64_POE: from 7.0 and 6.12.77 its guests lose FEAT_S1POE, so "
            + "POR_EL0/POR_EL1 (with s1poe)");

    private final String specName;
    private final String description;
    private final List<String> aliases;
    private final IdGate gate;

    KernelFeature(String specName, String description) {
        this(specName, description, null);
    }

    KernelFeature(String specName, String description, IdGate gate, String... aliases) {
        this.specName = specName;
        this.description = description;
        this.gate = gate;
        this.aliases = List.of(aliases);
    }

    /** For a host feature, the VM ID register field that shows it; empty for vCPU/VM features. */
    public Optional<IdGate> gate() {
        return Optional.ofNullable(gate);
    }

    /** The name used in specs such as {@code 6.13+pmu+sve}. */
    public String specName() {
        return specName;
    }

    public String description() {
        return description;
    }

    public List<String> aliases() {
        return aliases;
    }

    public static Optional<KernelFeature> byName(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(f -> f.specName.equals(n) || f.aliases.contains(n)).findFirst();
    }
}
