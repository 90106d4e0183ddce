package dev.regshim.release;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A QEMU release: a plain value the model ({@code cpreg}, {@code check}, profiles) compares without knowing how QEMU
 * is run. Read from {@code qemu-system-aarch64 --version} (e.g.
 * {@code QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)}), from QMP, or as a profile records it.
 *
 * @param text the whole first line (or the recorded text), for messages
 */
public record QemuVersion(int major, int minor, int micro, String text) implements Comparable<QemuVersion> {

    private static final Pattern VERSION_LINE =
            Pattern.compile("QEMU emulator version (\\d{1,4})\\.(\\d{1,4})(?:\\.(\\d{1,6}))?");

    /** The version in the output of {@code --version}; empty when it names none. */
    public static Optional<QemuVersion> ofVersionOutput(String versionOutput) {
        Matcher m = VERSION_LINE.matcher(versionOutput);
        if (!m.find()) {
            return Optional.empty();
        }
        int micro = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
        String line = versionOutput.substring(m.start()).lines().findFirst().orElse("").strip();
        return Optional.of(new QemuVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), micro, line));
    }

    private static final Pattern RECORDED = Pattern.compile("(?:>=)?(\\d{1,4})\\.(\\d{1,4})(?:\\.(\\d{1,6}))?");

    /**
     * A version as a profile records it: exact ({@code 11.1.3}, from a capture) or a lower bound read from a stream
     * ({@code >=11.1}, which yields the bound). Empty when there is none.
     */
    public static Optional<QemuVersion> ofRecorded(String recorded) {
        Matcher m = RECORDED.matcher(recorded == null ? "" : recorded.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        int micro = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
        return Optional.of(new QemuVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), micro,
                recorded.strip()));
    }

    /** As a profile records a lower bound: {@code >=11.1}. */
    public String asLowerBound() {
        return ">=" + major + "." + minor;
    }

    public boolean atLeast(int wantMajor, int wantMinor) {
        return major > wantMajor || (major == wantMajor && minor >= wantMinor);
    }

    /** The {@code file:} migration URI exists since QEMU 8.2; before that a file is written through {@code exec:}. */
    public boolean hasFileMigrationUri() {
        return atLeast(8, 2);
    }

    /** "7.2.22". */
    public String number() {
        return major + "." + minor + "." + micro;
    }

    @Override
    public int compareTo(QemuVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        return c != 0 ? c : Integer.compare(micro, o.micro);
    }

    @Override
    public String toString() {
        return number();
    }
}
