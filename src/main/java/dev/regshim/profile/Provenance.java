package dev.regshim.profile;

import java.util.List;

/**
 * Where a profile came from and what it describes: the source kind (stream, capture, kernel database, list file),
 * and whatever is known of QEMU version, machine type, -cpu, accelerator, kernel and features.
 */
public record Provenance(String kind, String source, String qemuVersion, String machine, String cpu, String accel,
                         String kernel, List<String> features, boolean inferred) {

    public Provenance {
        features = features == null ? List.of() : List.copyOf(features);
    }

    public static Provenance of(String kind, String source) {
        return new Provenance(kind, source, null, null, null, null, null, List.of(), false);
    }

    public Provenance withQemu(String version, String machine, String cpu, String accel) {
        return new Provenance(kind, source, version, machine, cpu, accel, kernel, features, inferred);
    }

    public Provenance withKernel(String kernel, List<String> features, boolean inferred) {
        return new Provenance(kind, source, qemuVersion, machine, cpu, accel, kernel, features, inferred);
    }

    /**
     * One line for reports: {@code stream max.mig (QEMU 7.2, virt-7.2, tcg)}; its strings come from files (a profile
     * JSON's "source", a stream's machine type), so control characters are escaped: it is printed as it is.
     */
    public String summary() {
        StringBuilder b = new StringBuilder(kind).append(' ').append(source);
        StringBuilder d = new StringBuilder();
        append(d, qemuVersion == null ? null : "QEMU " + qemuVersion);
        append(d, machine);
        append(d, cpu == null ? null : "-cpu " + cpu);
        append(d, accel);
        append(d, kernel == null ? null : "kernel " + kernel + (inferred ? " (inferred)" : ""));
        if (!features.isEmpty()) {
            append(d, String.join("+", features));
        }
        if (d.length() > 0) {
            b.append(" (").append(d).append(')');
        }
        return dev.regshim.util.Text.escape(b.toString());
    }

    private static void append(StringBuilder b, String s) {
        if (s == null || s.isEmpty()) {
            return;
        }
        if (b.length() > 0) {
            b.append(", ");
        }
        b.append(s);
    }
}
