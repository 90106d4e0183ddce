package dev.regshim.explain;

import java.util.List;

/**
 * What a QEMU log shows: the findings (fatal first, in the order their first line appeared) and which releases'
 * dialect it is written in.
 *
 * @param findings the findings
 * @param dialect  the releases whose dialect the lines are in (e.g. "QEMU 11.1 or later"), or "" when unknown
 * @param log      the lines as read (counts, cut lines)
 */
public record Explanation(List<Finding> findings, String dialect, QemuLog log) {

    public Explanation {
        findings = List.copyOf(findings);
    }

    /** Whether anything in the log was recognised and explained. */
    public boolean explained() {
        return !findings.isEmpty();
    }

    /** Whether the log shows the load failing. */
    public boolean failed() {
        return findings.stream().anyMatch(Finding::fatal);
    }
}
