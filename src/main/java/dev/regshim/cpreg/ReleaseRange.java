package dev.regshim.cpreg;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What is known about the QEMU release that produced a profile: exact (a capture ran it), or a range proven by a
 * stream ({@code lo} at least, {@code hi} at most, either open). Recorded in a profile's provenance as {@code 11.1.3},
 * {@code >=9.0}, {@code <=11.0} or {@code 9.0..11.0}.
 *
 * @param exact whether lo is the release itself (not a bound)
 */
public record ReleaseRange(QemuRelease lo, QemuRelease hi, boolean exact) {

    public static final ReleaseRange UNKNOWN = new ReleaseRange(null, null, false);

    private static final Pattern EXACT = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})(?:\\.\\d{1,6})?");
    private static final Pattern BOUNDS =
            Pattern.compile("(?:>=(\\d{1,3})\\.(\\d{1,3}))?\\s*(?:<=(\\d{1,3})\\.(\\d{1,3}))?|(\\d{1,3})\\.(\\d{1,3})\\.\\.(\\d{1,3})\\.(\\d{1,3})");

    public static ReleaseRange exact(QemuRelease r) {
        return new ReleaseRange(r, r, true);
    }

    /** Reads a recorded version; unknown for null, blank or anything else. */
    public static ReleaseRange ofRecorded(String recorded) {
        String t = recorded == null ? "" : recorded.strip();
        if (t.isEmpty() || t.length() > 40) {
            return UNKNOWN;
        }
        Matcher e = EXACT.matcher(t);
        if (e.matches()) {
            return exact(release(e.group(1), e.group(2)));
        }
        Matcher b = BOUNDS.matcher(t);
        if (!b.matches()) {
            return UNKNOWN;
        }
        if (b.group(5) != null) {
            return new ReleaseRange(release(b.group(5), b.group(6)), release(b.group(7), b.group(8)), false);
        }
        return new ReleaseRange(b.group(1) == null ? null : release(b.group(1), b.group(2)),
                b.group(3) == null ? null : release(b.group(3), b.group(4)), false);
    }

    private static QemuRelease release(String major, String minor) {
        return new QemuRelease(Integer.parseInt(major), Integer.parseInt(minor));
    }

    /** As a profile records it. */
    public String recorded() {
        if (lo == null && hi == null) {
            return null;
        }
        if (exact) {
            return lo.toString();
        }
        if (lo != null && hi != null) {
            return lo + ".." + hi;
        }
        return lo != null ? ">=" + lo : "<=" + hi;
    }

    public boolean known() {
        return lo != null || hi != null;
    }

    /** Narrowed by another lower bound. */
    public ReleaseRange atLeast(QemuRelease bound) {
        return exact || (lo != null && lo.atLeast(bound)) ? this : new ReleaseRange(bound, hi, false);
    }

    /** Narrowed by another upper bound. */
    public ReleaseRange atMost(QemuRelease bound) {
        return exact || (hi != null && bound.atLeast(hi)) ? this : new ReleaseRange(lo, bound, false);
    }

    /** The observed releases that model some release in the range (one when the range is unambiguous). */
    public List<QemuRelease> modelClasses() {
        List<QemuRelease> out = new ArrayList<>();
        QemuRelease from = lo == null ? QemuRelease.V7_2 : lo.modelledAs();
        for (QemuRelease r : QemuRelease.OBSERVED) {
            boolean inside = (r.atLeast(from)) && (hi == null || hi.atLeast(r));
            if (inside || r.equals(from)) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * The release regshim models when the user did not say: the exact one, else the newest observed release the range
     * allows (a fleet runs current releases more often than old ones), except that between stock QEMU and 11.1's
     * tolerances it takes stock, which refuses what 11.1 tolerates: the cautious verdict. Empty when nothing is known.
     */
    public Optional<QemuRelease> assumed() {
        if (!known()) {
            return Optional.empty();
        }
        if (exact) {
            return Optional.of(lo);
        }
        List<QemuRelease> classes = modelClasses();
        QemuRelease newest = classes.get(classes.size() - 1);
        if (newest.cpregSemantics() != classes.get(0).cpregSemantics()) {
            newest = classes.get(classes.size() - 2);
        }
        return Optional.of(newest);
    }

    /** Whether the model would differ depending on where in the range the release lies. */
    public boolean ambiguous() {
        return !known() || (!exact && modelClasses().size() > 1);
    }

    @Override
    public String toString() {
        String r = recorded();
        return r == null ? "unknown" : r;
    }
}
