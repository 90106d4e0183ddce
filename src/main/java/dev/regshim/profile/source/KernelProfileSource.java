package dev.regshim.profile.source;

import dev.regshim.kernel.KernelFeature;
import dev.regshim.kernel.KernelRegDb;
import dev.regshim.kernel.KernelRegList;
import dev.regshim.profile.Profile;
import dev.regshim.profile.Provenance;
import dev.regshim.regs.CpregArray;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code kernel:6.13+pmu+sve}: the cpreg list QEMU under KVM builds on a host running that kernel with those vCPU and
 * host features, from the embedded kernel database. Register IDs only (no values), the same for every vCPU.
 */
public final class KernelProfileSource implements ProfileSource {

    public static final String PREFIX = "kernel:";

    @Override
    public boolean accepts(String spec) {
        return spec.startsWith(PREFIX);
    }

    @Override
    public Profile load(String spec) {
        return fromList(KernelRegDb.parseSpec(spec.substring(PREFIX.length())), spec);
    }

    /** A profile for a computed kernel list. */
    public static Profile fromList(KernelRegList list, String source) {
        List<String> features = new ArrayList<>();
        for (KernelFeature f : list.features().enabled()) {
            features.add(f.name().toLowerCase(java.util.Locale.ROOT));
        }
        Provenance p = Provenance.of("kernel", source).withQemu(null, null, "host", "kvm")
                .withKernel(list.version().label(), features, list.inferred());
        return new Profile(p, null, null, null, null,
                List.of(new Profile.Vcpu(0, CpregArray.idsOnly(list.cpregs()))), false, true);
    }
}
