package dev.regshim.plan;

import dev.regshim.RegshimException;
import dev.regshim.kernel.KernelHost;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The host class whose guests' view the machine type freezes. A machine type promises guests started with it the
 * same virtual hardware wherever they run; for registers that promise is the register list of the hosts the machine
 * type was current on. Registers the baseline lists but other hosts lack are faked where missing (the guest may
 * carry them); registers only other hosts list are hidden everywhere (the machine type never had them).
 *
 * <p>{@code auto} picks the class with the oldest kernel (older kernels were current when the machine type was),
 * then the one with more hosts, then the one whose guests see fewer CPU features, then the first given. Without kernel
 * information it picks the largest class, then the first given.
 */
public record Baseline(int classIndex, boolean auto, String why) {

    static Baseline choose(Fleet fleet, String requested, MachineType machine) {
        List<HostClass> classes = fleet.classes();
        if (requested != null && !requested.isBlank() && !requested.equals("auto")) {
            HostClass c = fleet.classOf(requested).orElseThrow(() -> new RegshimException("--baseline " + requested
                    + ": no such host; hosts: " + fleet.hosts().stream().limit(8).map(FleetHost::name)
                    .collect(Collectors.joining(", ")) + (fleet.hosts().size() > 8 ? ", ..." : "")));
            return new Baseline(c.index(), false, "chosen with --baseline " + requested + " (" + c.describe() + ")");
        }
        boolean kernels = classes.stream().anyMatch(c -> c.kernel().isPresent());
        if (kernels) {
            HostClass best = classes.stream().filter(c -> c.kernel().isPresent())
                    .min(Comparator.comparing((HostClass c) -> c.kernel().get().version())
                            .thenComparing(Comparator.comparingInt(HostClass::size).reversed())
                            .thenComparingLong(Baseline::featuresSeen)
                            .thenComparingInt(HostClass::index))
                    .orElseThrow();
            KernelHost k = best.kernel().get();
            long tied = classes.stream().filter(c -> c.kernel().isPresent()
                    && c.kernel().get().version().equals(k.version())).count();
            return new Baseline(best.index(), true, "auto: " + best.title() + " runs the oldest kernel in the fleet ("
                    + k.version().label() + ")" + (tied > 1 ? ", the largest of the " + tied + " classes on it" : "")
                    + ": " + machine + " guests were started on hosts like it, so newer kernels are made to look like it");
        }
        HostClass best = classes.stream().min(Comparator.comparingInt(HostClass::size).reversed()
                .thenComparingInt(HostClass::index)).orElseThrow();
        return new Baseline(best.index(), true, "auto: no profile names its kernel; " + best.title()
                + " is the largest class" + (best.size() == 1 ? " (first given)" : ""));
    }

    private static long featuresSeen(HostClass c) {
        return c.features().values().stream().filter(t -> t == Tri.YES).count();
    }
}
