package dev.regshim.lab;

import dev.regshim.qemu.QemuBinary;
import dev.regshim.qemu.QemuException;
import dev.regshim.release.QemuVersion;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The host a lab kernel runs on: an outer {@code qemu-system-aarch64} of one series emulating a CPU model, written
 * {@code CPU[,prop=value...][@SERIES]} ({@code max}, {@code neoverse-n1@10.0}, {@code max,sve=off@11.1}). The CPU
 * model's features decide what the kernel's KVM can show; the series picks which QEMU emulates it (7.2 is the
 * system's {@code qemu-system-aarch64}, 10.0 and 11.1 the ones {@code scripts/get-qemu.sh} provides). Without a
 * series the newest one present is used.
 */
public record LabHost(String cpu, String series, QemuBinary qemu) {

    public static final String DEFAULT_CPU = "max";
    static final List<String> SERIES = List.of("11.1", "10.0", "7.2");
    private static final Pattern CPU = Pattern.compile("[a-z0-9][a-z0-9._-]{0,40}(,[a-z0-9._-]{1,40}=[a-z0-9._-]{1,40}){0,16}");

    /** Parses {@code CPU[,prop=value...][@SERIES]}; null or blank gives {@code max} on the newest QEMU present. */
    public static LabHost parse(String spec) {
        String s = spec == null || spec.isBlank() ? DEFAULT_CPU : spec.strip();
        int at = s.lastIndexOf('@');
        String cpu = at >= 0 ? s.substring(0, at) : s;
        String series = at >= 0 ? s.substring(at + 1) : null;
        if (!CPU.matcher(cpu).matches()) {
            throw new LabException("bad host '" + dev.regshim.util.Text.safe(s, 60)
                    + "' (expected CPU[,prop=value...][@SERIES], e.g. max, neoverse-n1@10.0)");
        }
        if (series != null) {
            if (!SERIES.contains(series)) {
                throw new LabException("unknown QEMU series '" + dev.regshim.util.Text.safe(series, 20) + "' in host '"
                        + dev.regshim.util.Text.safe(s, 60) + "' (known: " + String.join(", ", SERIES) + ")");
            }
            return new LabHost(cpu, series, binary(series).orElseThrow(() -> new LabException("QEMU " + series
                    + " is not available here (" + howToGet(series) + ")")));
        }
        for (String candidate : SERIES) {
            Optional<QemuBinary> b = binary(candidate);
            if (b.isPresent()) {
                return new LabHost(cpu, candidate, b.get());
            }
        }
        throw new LabException("no qemu-system-aarch64 found for the outer VM (install qemu-system-arm, or run "
                + "scripts/get-qemu.sh 11.1)");
    }

    /** The binary of a series, if present and really of that series. */
    static Optional<QemuBinary> binary(String series) {
        return switch (series) {
            case "10.0" -> QemuBinary.qemu10();
            case "11.1" -> QemuBinary.qemu11();
            case "7.2" -> QemuBinary.find().filter(b -> isSeries(b, 7, 2));
            default -> Optional.empty();
        };
    }

    private static boolean isSeries(QemuBinary b, int major, int minor) {
        try {
            QemuVersion v = b.version();
            return v.major() == major && v.minor() == minor;
        } catch (QemuException e) {
            return false;
        }
    }

    private static String howToGet(String series) {
        return series.equals("7.2") ? "install Debian bookworm's qemu-system-arm" : "run scripts/get-qemu.sh " + series;
    }

    /** The CPU model without its properties. */
    public String model() {
        int comma = cpu.indexOf(',');
        return comma < 0 ? cpu : cpu.substring(0, comma);
    }

    /** {@code max@11.1}. */
    public String label() {
        return cpu + "@" + series;
    }
}
