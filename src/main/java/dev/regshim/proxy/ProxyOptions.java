package dev.regshim.proxy;

import dev.regshim.RegshimException;
import dev.regshim.policy.RewriteOptions;
import dev.regshim.profile.Profile;
import dev.regshim.stream.StreamLimits;

import java.time.Duration;
import java.util.Objects;

/**
 * How the proxy runs.
 *
 * @param listen           where the source connects ({@code migrate tcp:ADDR:PORT}); port 0 picks a free port
 * @param target           the destination QEMU's {@code -incoming tcp:HOST:PORT}
 * @param rewrite          the destination's profile, the model's settings and the policy (as {@code regshim rewrite})
 * @param sourceProfile    the source as known beforehand, for {@link Preflight}; null to decide only live
 * @param keepRunning      serve migrations one after another until closed, instead of exactly one
 * @param idleTimeout      a peer that makes no progress this long while the proxy waits on it fails the migration;
 *                         a new connection must prove a migration stream within it
 * @param connectTimeout   how long connecting to the destination may take
 * @param limits           bounds on the stream (device state held until verified, trailer size, ...)
 * @param progressInterval how often {@link ProxyEvents#progress} is called during a migration
 * @param warmUp           run the hot path over a synthetic stream before listening ({@link Warmup})
 */
public record ProxyOptions(HostPort listen, HostPort target, RewriteOptions rewrite, Profile sourceProfile,
                           boolean keepRunning, Duration idleTimeout, Duration connectTimeout, StreamLimits limits,
                           Duration progressInterval, boolean warmUp) {

    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(2);
    /**
     * Device state of a virt guest is ~40 KB per vCPU plus the devices; 8 MiB leaves room for ~200 vCPUs. It is held
     * up to three times (the transformer's buffer, the audit's, the held output), which with the trailer's bound
     * keeps the worst case within the 64 MiB heap the README recommends.
     */
    public static final int DEFAULT_MAX_DEVICE_STATE = 8 << 20;
    /** A 1-vCPU virt trailer is ~12 KB. */
    public static final int DEFAULT_MAX_VMDESC = 2 << 20;

    public ProxyOptions {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(rewrite, "rewrite");
        idleTimeout = idleTimeout == null ? DEFAULT_IDLE_TIMEOUT : idleTimeout;
        connectTimeout = connectTimeout == null ? DEFAULT_CONNECT_TIMEOUT : connectTimeout;
        limits = limits == null ? defaultLimits() : limits;
        progressInterval = progressInterval == null ? DEFAULT_PROGRESS_INTERVAL : progressInterval;
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new RegshimException("the idle timeout must be positive");
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new RegshimException("the connect timeout must be positive");
        }
    }

    /** The minimal options: one migration, default timeouts and limits, no source profile. */
    public static ProxyOptions of(HostPort listen, HostPort target, RewriteOptions rewrite) {
        return new ProxyOptions(listen, target, rewrite, null, false, null, null, null, null, true);
    }

    /** The stream's limits with the proxy's tighter bounds on what it holds in memory. */
    public static StreamLimits defaultLimits() {
        return StreamLimits.defaults().toBuilder().maxBufferedDeviceBytes(DEFAULT_MAX_DEVICE_STATE)
                .maxVmdescBytes(DEFAULT_MAX_VMDESC).build();
    }

    public ProxyOptions withSourceProfile(Profile p) {
        return new ProxyOptions(listen, target, rewrite, p, keepRunning, idleTimeout, connectTimeout, limits,
                progressInterval, warmUp);
    }

    public ProxyOptions withKeepRunning(boolean k) {
        return new ProxyOptions(listen, target, rewrite, sourceProfile, k, idleTimeout, connectTimeout, limits,
                progressInterval, warmUp);
    }

    public ProxyOptions withIdleTimeout(Duration d) {
        return new ProxyOptions(listen, target, rewrite, sourceProfile, keepRunning, d, connectTimeout, limits,
                progressInterval, warmUp);
    }

    public ProxyOptions withLimits(StreamLimits l) {
        return new ProxyOptions(listen, target, rewrite, sourceProfile, keepRunning, idleTimeout, connectTimeout, l,
                progressInterval, warmUp);
    }

    public ProxyOptions withProgressInterval(Duration d) {
        return new ProxyOptions(listen, target, rewrite, sourceProfile, keepRunning, idleTimeout, connectTimeout,
                limits, d, warmUp);
    }

    public ProxyOptions withWarmUp(boolean w) {
        return new ProxyOptions(listen, target, rewrite, sourceProfile, keepRunning, idleTimeout, connectTimeout,
                limits, progressInterval, w);
    }

    /** The most the output holds back at once: device state plus trailer. */
    int maxHeldBytes() {
        return limits.maxBufferedDeviceBytes() + limits.maxVmdescBytes() + (64 << 10);
    }
}
