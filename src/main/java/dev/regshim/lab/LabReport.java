package dev.regshim.lab;

import dev.regshim.check.CheckResult;
import dev.regshim.lab.guest.Continuity;
import dev.regshim.proxy.SessionResult;
import dev.regshim.rewrite.StreamRewriter;

import java.util.List;
import java.util.Optional;

/**
 * What a lab migration showed: what regshim predicted before the destination was asked, what the destination's
 * QEMU really printed and did, and whether the guest went on where it stopped.
 *
 * @param predicted        the check of the (unchanged) source stream against the destination's capture
 * @param tableSpec        the kernel-table spec the destination's capture stands for (null when unknown)
 * @param predictedByTable the same check against that spec's profile (null when unknown)
 * @param rewriteWritten   for {@code --via rewrite}: whether regshim wrote a stream (else it refused)
 * @param rewriteText      the rewrite's refusal, or a summary of its changes
 * @param rewritePredicted the check of the rewritten stream (null when none)
 * @param proxy            the proxy's session (null unless {@code --via proxy})
 * @param loaded           the destination's QEMU loaded the state and runs the guest
 * @param destinationLines every line the destination's QEMU wrote on stderr
 * @param destinationExit  its exit status when it ended by itself, else null
 * @param continuity       the counter guest's continuity (empty for an idle guest or when nothing loaded)
 * @param sourceContinued  for a refused live migration: the guest still runs on the source
 * @param sourceResumedFrom the status the source's QEMU left the guest in after the failed migration, when the lab
 *                         had to resume it ({@code cont}, as libvirt does); null when it ran on by itself
 */
public record LabReport(LabMigration.Request request, String qemuVersion, String sourceRelease,
                        String destinationRelease, CheckResult predicted, String tableSpec,
                        CheckResult predictedByTable, String sourceMigration, List<String> sourceLines,
                        Boolean rewriteWritten, String rewriteText, CheckResult rewritePredicted, SessionResult proxy,
                        boolean destinationReached, boolean loaded, List<String> destinationLines,
                        Integer destinationExit, String sourceGuest, String destinationGuest,
                        Optional<Continuity.Report> continuity, Boolean sourceContinued, String sourceResumedFrom) {

    /** The prediction that applies to what the destination was given (the rewritten stream, if any). */
    public Optional<CheckResult> applicablePrediction() {
        if (request.via() == LabMigration.Via.DIRECT) {
            return Optional.of(predicted);
        }
        if (request.via() == LabMigration.Via.REWRITE) {
            return Optional.ofNullable(rewritePredicted);
        }
        return Optional.empty();
    }

    /** The prediction's verdict and every QEMU line equal what the destination did, where both exist. */
    public Optional<Boolean> predictionExact() {
        return applicablePrediction().filter(p -> destinationReached).map(p -> p.loads() == loaded
                && (loaded || p.qemuLines().equals(stripped(destinationLines))));
    }

    /** QEMU's lines without the program-name prefix, as the model renders them. */
    static List<String> stripped(List<String> lines) {
        return lines.stream().map(l -> l.startsWith(PREFIX) ? l.substring(PREFIX.length()) : l).toList();
    }

    static final String PREFIX = "qemu-system-aarch64: ";

    /** The migration ended with the guest running on the destination and counting on from where it stopped. */
    /** Whether regshim proxy refused the stream (a register named), closing both connections. */
    public boolean refusedByProxy() {
        return proxy != null && proxy.fault() == dev.regshim.proxy.Fault.REFUSED;
    }

    public boolean guestContinued() {
        return loaded && continuity.map(Continuity.Report::ok).orElse(true);
    }

    /** Mutable while a migration runs. */
    static final class Builder {
        private final LabMigration.Request request;
        private final String qemuVersion;
        private String sourceRelease;
        private String destinationRelease;
        private CheckResult predicted;
        private String tableSpec;
        private CheckResult predictedByTable;
        private String sourceMigration;
        private List<String> sourceLines = List.of();
        private Boolean rewriteWritten;
        private String rewriteText;
        private CheckResult rewritePredicted;
        private SessionResult proxy;
        private boolean destinationReached;
        private boolean loaded;
        private List<String> destinationLines = List.of();
        private Integer destinationExit;
        private String sourceGuest = "";
        private String destinationGuest = "";
        private Boolean sourceContinued;
        private String sourceResumedFrom;

        Builder(LabMigration.Request request, String qemuVersion) {
            this.request = request;
            this.qemuVersion = qemuVersion;
        }

        Builder sourceRelease(String r) {
            sourceRelease = r;
            return this;
        }

        Builder sourceMigration(String status, List<String> lines) {
            sourceMigration = status;
            sourceLines = List.copyOf(lines);
            return this;
        }

        Builder sourceGuest(String text) {
            sourceGuest = text;
            return this;
        }

        Builder sourceResumed(String fromStatus) {
            sourceResumedFrom = fromStatus;
            return this;
        }

        Builder sourceContinued(boolean c) {
            sourceContinued = c;
            return this;
        }

        Builder prediction(CheckResult byCapture, String spec, CheckResult byTable) {
            predicted = byCapture;
            tableSpec = spec;
            predictedByTable = byTable;
            return this;
        }

        Builder rewrite(StreamRewriter.Result r) {
            rewriteWritten = r.written();
            rewriteText = r.written() ? r.plan().vcpus().stream().mapToInt(v -> v.changes().size()).sum()
                    + " register changes" : r.refusal();
            rewritePredicted = r.after();
            return this;
        }

        Builder proxy(SessionResult s) {
            proxy = s;
            return this;
        }

        Builder destination(String release, boolean wasLoaded, List<String> lines, Integer exit, String guest,
                            boolean running) {
            destinationReached = true;
            destinationRelease = release;
            loaded = wasLoaded && running;
            destinationLines = List.copyOf(lines);
            destinationExit = exit;
            destinationGuest = guest;
            return this;
        }

        Builder destinationNotReached() {
            destinationReached = false;
            return this;
        }

        LabReport build() {
            Optional<Continuity.Report> c = loaded ? LabMigration.continuity(sourceGuest, destinationGuest, request.guest())
                    : Optional.empty();
            return new LabReport(request, qemuVersion, sourceRelease, destinationRelease, predicted, tableSpec,
                    predictedByTable, sourceMigration, sourceLines, rewriteWritten, rewriteText, rewritePredicted, proxy,
                    destinationReached, loaded, destinationLines, destinationExit, sourceGuest, destinationGuest, c,
                    sourceContinued, sourceResumedFrom);
        }
    }
}
