package dev.regshim.plan;

import dev.regshim.RegshimException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A versioned {@code virt} machine type, {@code virt-10.1}: the compat lists belong to it and to older ones. */
public record MachineType(int major, int minor) implements Comparable<MachineType> {

    private static final Pattern SYNTAX = Pattern.compile("virt-(\\d{1,2})\\.(\\d{1,2})");
    /** The seed series' DO-NOT-UPSTREAM compat targets virt-10.1 and older. */
    public static final MachineType SEED = new MachineType(10, 1);
    /** The series (v3 on) declares AArch32 DBGDTRTX safe-missing for virt-10.2 and older (TCG). */
    public static final MachineType DBGDTRTX_COMPAT = new MachineType(10, 2);

    public static MachineType parse(String s) {
        Matcher m = SYNTAX.matcher(s == null ? "" : s.trim());
        if (!m.matches()) {
            throw new RegshimException("bad machine type '" + s + "' (expected a versioned virt machine, e.g. virt-10.1)");
        }
        return new MachineType(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    /** {@code 10_1}, as QEMU names the options function {@code virt_machine_10_1_options}. */
    public String symbol() {
        return major + "_" + minor;
    }

    @Override
    public int compareTo(MachineType o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return "virt-" + major + "." + minor;
    }
}
