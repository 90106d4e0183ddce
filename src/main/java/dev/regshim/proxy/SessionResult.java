package dev.regshim.proxy;

import dev.regshim.policy.RegisterChange;
import dev.regshim.policy.VcpuRewrite;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/**
 * How one migration through the proxy ended.
 *
 * @param number          the session number within this proxy run
 * @param source          the source's address
 * @param outcome         loaded (acknowledged), forwarded (no return path to tell) or failed
 * @param fault           who stopped it (null unless failed)
 * @param reason          one line: why it failed, or what is known of the destination's result
 * @param returnPath      whether the source opened the return path
 * @param shutValue       the destination's SHUT value on the return path (0 = loaded), when it sent one
 * @param bytesIn         read from the source (main channel)
 * @param bytesOut        sent to the destination (main channel)
 * @param dataPages       RAM data pages passed through (main channel)
 * @param zeroPages       RAM zero pages passed through
 * @param ramBytes        guest RAM size from the stream's block list
 * @param vcpus           every vCPU planned from its live section (a refused one included)
 * @param checks          what the re-read of the outgoing stream confirmed
 * @param extraChannels   multifd channels relayed untouched
 * @param extraBytes      bytes relayed on them (both directions)
 * @param duration        from the source's connection to the end
 */
public record SessionResult(int number, String source, Outcome outcome, Fault fault, String reason, boolean returnPath,
                            OptionalLong shutValue, long bytesIn, long bytesOut, long dataPages, long zeroPages,
                            long ramBytes, List<VcpuRewrite> vcpus, List<String> checks, int extraChannels,
                            long extraBytes, Duration duration) {

    public SessionResult {
        vcpus = List.copyOf(vcpus);
        checks = List.copyOf(checks);
    }

    /** How a session ended. */
    public enum Outcome {
        /** The destination loaded the stream and said so on the return path (SHUT 0). */
        LOADED,
        /** The whole verified stream was delivered; without the return path the destination's result is not visible. */
        FORWARDED,
        /** The proxy closed both connections: the source's migration fails and its VM keeps running there. */
        FAILED
    }

    public boolean succeeded() {
        return outcome != Outcome.FAILED;
    }

    /** 0 when the stream went through, else the fault's exit code. */
    public int exitCode() {
        return succeeded() ? 0 : fault.exitCode();
    }

    /** Registers dropped, added or changed over all vCPUs. */
    public int registersChanged() {
        return vcpus.stream().mapToInt(v -> v.changes().size()).sum();
    }

    public List<RegisterChange> lossyChanges() {
        return vcpus.stream().flatMap(v -> v.changes().stream()).filter(RegisterChange::lossy).toList();
    }

    /** Main-channel throughput, bytes per second. */
    public double bytesPerSecond() {
        long n = duration.toNanos();
        return n <= 0 ? 0 : (bytesIn + extraBytes) * 1e9 / n;
    }
}
