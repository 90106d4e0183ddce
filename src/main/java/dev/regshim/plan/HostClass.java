package dev.regshim.plan;

import dev.regshim.kernel.KernelHost;
import dev.regshim.profile.Profile;
import dev.regshim.regs.RegSet;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Hosts that present exactly the same thing to a migration: the same cpreg arrays (IDs and, when known, values),
 * machine type, RAM blocks and device sections, and the same guest-visible features. The planner computes every
 * matrix over classes and expands to hosts only for display, so a fleet of 10,000 hosts costs what its few dozen
 * classes cost.
 *
 * @param regs     every register any vCPU of the representative lists (before hiding)
 * @param features what a guest on these hosts sees, per feature
 * @param kernel   the kernel and features the profile was computed for, when it came from the kernel database
 */
public record HostClass(int index, List<String> hosts, Profile profile, RegSet regs,
                        Map<GuestFeature, Tri> features, List<KernelHost> kernels) {

    public HostClass {
        hosts = List.copyOf(hosts);
        features = Collections.unmodifiableMap(new EnumMap<>(features));
        kernels = List.copyOf(kernels);
    }

    /** The oldest kernel among the class's hosts, when they came from the kernel database. */
    public Optional<KernelHost> kernel() {
        return kernels.isEmpty() ? Optional.empty() : Optional.of(kernels.get(0));
    }

    public int size() {
        return hosts.size();
    }

    public Tri sees(GuestFeature f) {
        return features.getOrDefault(f, Tri.UNKNOWN);
    }

    /**
     * The host's name for a single-host class; else the (oldest) kernel spec, with how many other kernels give the
     * same profile; else {@code class N}.
     */
    public String label() {
        if (hosts.size() == 1) {
            return hosts.get(0);
        }
        if (kernels.isEmpty()) {
            return "class " + (index + 1);
        }
        return kernels.get(0).spec() + (kernels.size() > 1 ? " & " + (kernels.size() - 1) + " more" : "");
    }

    /** Host names shown before "and N more". */
    static final int NAMED_HOSTS = 4;

    /** The class's hosts by name: {@code b, b2} or {@code b, b2, b3, b4 and 96 more}. */
    public String hostNames() {
        String s = String.join(", ", hosts.subList(0, Math.min(NAMED_HOSTS, hosts.size())));
        return hosts.size() > NAMED_HOSTS ? s + " and " + (hosts.size() - NAMED_HOSTS) + " more" : s;
    }

    /** {@code label}, naming the hosts of a multi-host class: {@code 6.13+pmu & 1 more (hosts b, b2)}. */
    public String named() {
        return hosts.size() == 1 ? label() : label() + " (hosts " + hostNames() + ")";
    }

    /** {@code label} plus the host count for multi-host classes. */
    public String title() {
        return hosts.size() == 1 ? label() : label() + " (" + hosts.size() + " hosts)";
    }

    /** What the profile describes, e.g. {@code kernel 6.12 (pmu)}. */
    public String describe() {
        if (kernels.isEmpty()) {
            return profile.provenance().summary();
        }
        return (kernels.size() == 1 ? "kernel " : "kernels ")
                + kernels.stream().map(k -> k.spec() + (k.inferred() ? " (inferred)" : "")).collect(Collectors.joining(", "));
    }
}
