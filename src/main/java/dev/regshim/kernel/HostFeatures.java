package dev.regshim.kernel;

import dev.regshim.regs.RegId;
import dev.regshim.regs.WellKnownRegs;

import java.util.EnumSet;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;

/**
 * The host features a VM sees, read from its ID register values as KVM reports them (the fields of
 * {@link KernelFeature#gate()}): KVM's visibility functions test these same fields, so features derived this way
 * decide the register list exactly as the kernel does, whatever the CPU model is called.
 */
public final class HostFeatures {

    /** CLIDR_EL1, which v6.1's DEMUX list depends on. */
    public static final RegId CLIDR_EL1 = WellKnownRegs.CLIDR_EL1;

    private HostFeatures() {
    }

    /**
     * The feature set of a VM: the vCPU features it asked for, plus each host feature whose ID field shows it, plus
     * the host CLIDR when the VM reports one. {@code idValue} gives a register's value, empty when not listed.
     */
    public static KernelFeatures of(Set<KernelFeature> vcpu, Function<RegId, OptionalLong> idValue) {
        Set<KernelFeature> on = EnumSet.noneOf(KernelFeature.class);
        on.addAll(vcpu);
        for (KernelFeature f : KernelFeature.values()) {
            f.gate().ifPresent(g -> {
                OptionalLong v = idValue.apply(g.field().id());
                if (v.isPresent() && g.shown(v.getAsLong())) {
                    on.add(f);
                }
            });
        }
        KernelFeatures features = KernelFeatures.of(on.toArray(new KernelFeature[0]));
        OptionalLong clidr = idValue.apply(CLIDR_EL1);
        return clidr.isPresent() ? features.withHostClidr(clidr.getAsLong()) : features;
    }
}
