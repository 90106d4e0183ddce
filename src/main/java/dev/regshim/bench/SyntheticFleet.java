package dev.regshim.bench;

import dev.regshim.RegshimException;
import dev.regshim.kernel.KernelVersion;
import dev.regshim.plan.Fleet;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Fleets built from the embedded kernel database, for benchmarks and tests: N hosts spread round-robin over every
 * combination of the given kernel versions and feature modifiers ({@code kernel:6.13+sve+pauth}), named
 * {@code h00001}, {@code h00002}, ...
 */
public final class SyntheticFleet {

    /** Every kernel version regshim knows, inferred ones included. */
    public static final List<String> ALL_VERSIONS = KernelVersion.known().stream().map(KernelVersion::toString)
            .collect(Collectors.toList());
    /** Four CPU generations: the seed's, one with SVE and pointer authentication, one with FEAT_TCR2/S1PIE, one with MTE. */
    public static final List<String> DEFAULT_FEATURES = List.of("", "+sve+pauth", "+tcr2+s1pie", "+mte");
    private static final String NAME_FORMAT = "h%05d";

    private SyntheticFleet() {
    }

    /** The NAME=PROFILE arguments of the fleet. */
    public static List<String> specs(int hosts, List<String> versions, List<String> features) {
        if (hosts < 1 || versions.isEmpty() || features.isEmpty()) {
            throw new RegshimException("a synthetic fleet needs at least one host, one version and one feature set");
        }
        List<String> combos = new ArrayList<>();
        for (String f : features) {
            for (String v : versions) {
                combos.add("kernel:" + v + f);
            }
        }
        List<String> out = new ArrayList<>(hosts);
        for (int i = 0; i < hosts; i++) {
            out.add(String.format(NAME_FORMAT, i + 1) + "=" + combos.get(i % combos.size()));
        }
        return out;
    }

    public static Fleet build(int hosts, List<String> versions, List<String> features) {
        return Fleet.resolve(specs(hosts, versions, features));
    }
}
