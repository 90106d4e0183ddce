package dev.regshim.proxy;

/**
 * A migration in flight.
 *
 * @param session   the session number (1, 2, ... per proxy run)
 * @param bytesIn   read from the source's main channel
 * @param bytesOut  sent to the destination's main channel (RAM at once, device state once verified)
 * @param dataPages RAM pages with data passed through
 * @param ramBytes  guest RAM size from the stream's block list (0 until known)
 * @param extraBytes bytes relayed on multifd channels
 * @param elapsedNanos since the source connected
 */
public record Progress(int session, long bytesIn, long bytesOut, long dataPages, long ramBytes, long extraBytes,
                       long elapsedNanos) {

    /** Average throughput so far (main and extra channels), bytes per second. */
    public double bytesPerSecond() {
        return elapsedNanos <= 0 ? 0 : (bytesIn + extraBytes) * 1e9 / elapsedNanos;
    }
}
