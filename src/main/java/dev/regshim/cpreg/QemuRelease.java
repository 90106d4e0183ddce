package dev.regshim.cpreg;

import dev.regshim.RegshimException;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A QEMU release line ({@code major.minor}) as the destination of a load, and everything regshim knows about how that
 * release loads a stream: its cpreg semantics, how it reports a failure, which {@code cpu} subsections it knows, where
 * it aborts, and the start-up lines it prints first.
 * <p>
 * Three releases were observed on real QEMU (7.2.22, 10.0.13, 11.1.3, under TCG and KVM). Every other release is
 * modelled as the nearest observed one before it ({@link #modelledAs()}), with the facts whose first release is known
 * applied on top ({@link #SUBSECTIONS_SINCE}); {@link #assumption()} says so in one sentence, so a report never passes
 * an inference off as an observation.
 */
public record QemuRelease(int major, int minor) implements Comparable<QemuRelease> {

    public static final QemuRelease V7_2 = new QemuRelease(7, 2);
    public static final QemuRelease V10_0 = new QemuRelease(10, 0);
    public static final QemuRelease V11_1 = new QemuRelease(11, 1);

    /** Releases whose loads were run on real QEMU, oldest first. */
    public static final List<QemuRelease> OBSERVED = List.of(V7_2, V10_0, V11_1);

    /** The wfxt-timer subsection: 10.0 creates the timer only for CPUs with FEAT_WFxT, 11.1 for every CPU. */
    public static final String WFXT_TIMER = "cpu/wfxt-timer";

    private static final Pattern TEXT = Pattern.compile("(?:QEMU\\s*)?v?(\\d{1,3})(?:\\.(\\d{1,3}|x))?(?:\\.\\d{1,6})?(?:[-+~].{0,64})?");

    public QemuRelease {
        if (major < 1 || major > 999 || minor < 0 || minor > 99) {
            throw new RegshimException("not a QEMU release: " + major + "." + minor);
        }
    }

    /**
     * Parses a QEMU release as a user types it (e.g. for {@code --to-qemu}): {@code 7.2}, {@code 10.0.13},
     * {@code 11.1}, {@code 8.x} (any 8 release: modelled alike), {@code 9}. A release before 7.2 or after 11.1 is
     * accepted and modelled as the nearest observed one. Errors name the option {@code --to-qemu}.
     */
    public static QemuRelease parse(String text) {
        return parse(text, "--to-qemu");
    }

    /** {@link #parse(String)}, an error naming {@code where} the text came from (an option, a file and line). */
    public static QemuRelease parse(String text, String where) {
        String t = text == null ? "" : text.strip();
        Matcher m = TEXT.matcher(t);
        if (t.length() > 80 || !m.matches()) {
            throw new RegshimException((where == null ? "" : where + ": ") + "'" + abbreviate(t)
                    + "' is not a QEMU release (e.g. 7.2, 10.0, 11.1)");
        }
        String minor = m.group(2);
        return new QemuRelease(Integer.parseInt(m.group(1)), minor == null || minor.equals("x") ? 0 : Integer.parseInt(minor));
    }

    public boolean atLeast(QemuRelease o) {
        return compareTo(o) >= 0;
    }

    /** The observed release whose behaviour this one is modelled on: the nearest observed one at or before it. */
    public QemuRelease modelledAs() {
        QemuRelease best = V7_2;
        for (QemuRelease r : OBSERVED) {
            if (atLeast(r)) {
                best = r;
            }
        }
        return best;
    }

    public boolean observed() {
        return OBSERVED.contains(this);
    }

    /** What is assumed for a release nobody ran here; empty for an observed one. */
    public Optional<String> assumption() {
        if (observed()) {
            return Optional.empty();
        }
        QemuRelease base = modelledAs();
        String when = compareTo(V7_2) < 0 ? "older than any observed release"
                : compareTo(V11_1) > 0 ? "newer than any observed release" : "not observed";
        return Optional.of("QEMU " + this + " is " + when + ": modelled as " + base
                + " (cpreg load, messages, aborts), with the cpu subsections known to arrive by " + this);
    }

    /** How this release merges the cpreg arrays (the series are patches on top, chosen by {@code --semantics}). */
    public Semantics cpregSemantics() {
        return atLeast(V11_1) ? Semantics.QEMU_11_1 : Semantics.QEMU_STOCK;
    }

    public QemuMessages.Dialect dialect() {
        return modelledAs().atLeast(V11_1) ? QemuMessages.Dialect.CHAINED : QemuMessages.Dialect.SEPARATE_LINES;
    }

    /**
     * Whether this release's loader knows a vmstate subsection (any device's): from the names each observed release
     * carries, a release between observed ones knowing what the observed one before it knew, plus what is known to
     * arrive by it. The table holds every {@code parent/child} name of the observed binaries, so such a name it lacks
     * is a newer release's, unknown to all of them; a name without a slash (GIC's {@code arm_gic_virt_state}) cannot
     * be told from the binaries' other strings and is taken as known unless the table says otherwise.
     */
    public boolean knowsSubsection(String name) {
        VmstateNames.Span span = VmstateNames.span(name);
        QemuRelease first = VmstateNames.knownFirst(name);
        if (first != null) {
            return atLeast(first);
        }
        if (span == null) {
            return name.indexOf('/') < 0;
        }
        QemuRelease base = modelledAs();
        return base.atLeast(span.first()) && (span.last().atLeast(base) || compareTo(V11_1) > 0 && span.last().equals(V11_1));
    }

    /**
     * The earliest release that can have sent a cpu subsection: its known first release, or, for one first seen in an
     * observed release, the release just after the observed one before it. 7.2 for a name no modelled release knows.
     */
    public static QemuRelease earliestSender(String subsection) {
        QemuRelease first = VmstateNames.knownFirst(subsection);
        if (first != null) {
            return first;
        }
        VmstateNames.Span span = VmstateNames.span(subsection);
        if (span == null || span.first().equals(V7_2)) {
            return V7_2;
        }
        QemuRelease before = OBSERVED.get(OBSERVED.indexOf(span.first()) - 1);
        return before.minor() >= 2 ? new QemuRelease(before.major() + 1, 0) : new QemuRelease(before.major(), before.minor() + 1);
    }

    /**
     * Whether loading a cpu/wfxt-timer subsection into a CPU model without FEAT_WFxT aborts (SIGABRT): the timer was
     * created only for CPUs with the feature, until 11.1 created it for every CPU.
     */
    public boolean abortsOnWfxtTimerWithoutFeature() {
        return knowsSubsection(WFXT_TIMER) && !modelledAs().atLeast(V11_1);
    }

    /** Whether a source of this release sends cpu/wfxt-timer for every CPU model (11.1 does; 10.0 only with WFxT). */
    public boolean sendsWfxtTimerForEveryCpu() {
        return modelledAs().atLeast(V11_1);
    }

    /** QEMU's exit status when it aborts on an assertion. */
    public static final int ABORT_EXIT_STATUS = 134;

    /**
     * The warning this release prints at start-up for a versioned machine type it deprecates (versions more than
     * three years older than the release: 10.0 deprecates up to virt-7.0, 11.1 up to virt-8.1; 7.2 deprecates none).
     */
    public Optional<String> deprecationWarning(String machineType) {
        Optional<QemuRelease> v = machineVersion(machineType);
        if (v.isEmpty() || !modelledAs().atLeast(V10_0)) {
            return Optional.empty();
        }
        return yearsOlder(v.get(), 3)
                ? Optional.of("warning: Machine type '" + machineType
                        + "' is deprecated: machines more than 3 years old are subject to deletion after 6 years")
                : Optional.empty();
    }

    /** Whether machine version {@code v} is at least {@code years} release-years older than this release. */
    private boolean yearsOlder(QemuRelease v, int years) {
        return major - years >= 1 && v.compareTo(new QemuRelease(major - years, minor)) <= 0;
    }

    /**
     * The lines this release prints when it cannot start a machine type at all (newer than the release, or deleted:
     * 11.1 no longer has virt-5.1 and older); empty when it can.
     */
    public List<String> unsupportedMachineLines(String machineType) {
        Optional<QemuRelease> v = machineVersion(machineType);
        if (v.isEmpty()) {
            return List.of();
        }
        boolean deleted = modelledAs().atLeast(V11_1) && yearsOlder(v.get(), 6);
        if (v.get().compareTo(this) <= 0 && !deleted) {
            return List.of();
        }
        String first = modelledAs().atLeast(V10_0) ? "unsupported machine type: \"" + machineType + "\""
                : "unsupported machine type";
        return List.of(first, "Use -machine help to list supported machines");
    }

    /** {@code virt-7.2} → 7.2; empty for an unversioned or unknown machine type. */
    public static Optional<QemuRelease> machineVersion(String machineType) {
        if (machineType == null) {
            return Optional.empty();
        }
        Matcher m = MACHINE.matcher(machineType);
        return m.matches() ? Optional.of(new QemuRelease(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))))
                : Optional.empty();
    }

    private static final Pattern MACHINE = Pattern.compile("[a-z][a-z0-9]{0,15}-(\\d{1,3})\\.(\\d{1,2})");

    @Override
    public int compareTo(QemuRelease o) {
        int c = Integer.compare(major, o.major);
        return c != 0 ? c : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
