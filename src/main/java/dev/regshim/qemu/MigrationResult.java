package dev.regshim.qemu;

/**
 * How an outgoing migration ended, from the source's {@code query-migrate}.
 *
 * @param status        QEMU's final status: {@code completed}, {@code failed} or {@code cancelled}
 * @param totalTimeMs   QEMU's {@code total-time}, or -1 when not reported
 * @param downtimeMs    QEMU's {@code downtime}, or -1 when not reported
 * @param ramTransferredBytes QEMU's {@code ram.transferred}, or -1 when not reported
 * @param errorDesc     QEMU's {@code error-desc} for a failed migration, else ""
 */
public record MigrationResult(String status, long totalTimeMs, long downtimeMs, long ramTransferredBytes,
                              String errorDesc) {

    public boolean completed() {
        return "completed".equals(status);
    }
}
