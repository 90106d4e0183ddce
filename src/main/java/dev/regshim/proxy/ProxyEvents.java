package dev.regshim.proxy;

import dev.regshim.policy.VcpuRewrite;

import java.net.InetSocketAddress;

/**
 * What the proxy reports while it runs, for the CLI to print. Calls come from the proxy's threads (one session's
 * calls in order); implementations must be thread-safe and quick.
 */
public interface ProxyEvents {

    ProxyEvents NONE = new ProxyEvents() {
    };

    /** Before listening, when a source profile was given. */
    default void preflight(Preflight result) {
    }

    default void listening(InetSocketAddress address) {
    }

    default void sessionStarted(int session, String source, String destination) {
    }

    /** The source sent OPEN_RETURN_PATH: the destination's answers are relayed back to it. */
    default void returnPathOpened(int session) {
    }

    /** A vCPU was planned from its live section and will be sent rewritten. */
    default void vcpuPlanned(int session, VcpuRewrite rewrite) {
    }

    default void progress(Progress progress) {
    }

    /** A message from the destination, relayed to the source. */
    default void returnPathMessage(int session, ReturnPathMessage message) {
    }

    /** An extra (multifd) channel joined the session. */
    default void extraChannel(int session, String source) {
    }

    /** A connection that could not start or join a migration, closed without affecting any other. */
    default void rejected(String source, String reason) {
    }

    default void sessionEnded(SessionResult result) {
    }
}
