package dev.regshim.proxy;

import dev.regshim.RegshimException;

import java.net.InetSocketAddress;

/**
 * A {@code HOST:PORT} argument: {@code 127.0.0.1:4444}, {@code [::1]:4444}, {@code localhost:4444}, or a bare
 * {@code PORT} / {@code :PORT}, which means the loopback address (the proxy never listens on every interface unless
 * told to, e.g. {@code 0.0.0.0:4444}).
 */
public record HostPort(String host, int port) {

    public static final String LOOPBACK = "127.0.0.1";
    private static final int MAX_PORT = 0xffff;

    public HostPort {
        if (host == null || host.isEmpty()) {
            throw new RegshimException("empty host in address");
        }
        if (port < 0 || port > MAX_PORT) {
            throw new RegshimException("port " + port + " is out of range 0-" + MAX_PORT);
        }
    }

    /** Parses {@code [HOST:]PORT}; a missing host is the loopback address. */
    public static HostPort parse(String text) {
        String s = text == null ? "" : text.strip();
        if (s.isEmpty()) {
            throw new RegshimException("empty address: expected HOST:PORT");
        }
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new RegshimException("cannot parse address '" + text + "': expected [IPV6]:PORT");
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon >= 0 && s.indexOf(':') != colon) {
                throw new RegshimException("cannot parse address '" + text + "': write IPv6 addresses as [ADDR]:PORT");
            }
            host = colon <= 0 ? LOOPBACK : s.substring(0, colon);
            port = colon < 0 ? s : s.substring(colon + 1);
        }
        try {
            return new HostPort(host, Integer.parseInt(port));
        } catch (NumberFormatException e) {
            throw new RegshimException("cannot parse address '" + text + "': port '" + port + "' is not a number");
        }
    }

    /**
     * A bound or connected socket's address as the user would write it ({@code 0.0.0.0:4444}, {@code [::]:4444}):
     * never re-parsed from {@link InetSocketAddress#toString}, whose IPv6 forms have no brackets.
     */
    public static HostPort of(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        int zone = host.indexOf('%');
        host = zone >= 0 ? host.substring(0, zone) : host;
        if (host.equals("0:0:0:0:0:0:0:0")) {
            host = "::";
        } else if (host.equals("0:0:0:0:0:0:0:1")) {
            host = "::1";
        }
        return new HostPort(host, a.getPort());
    }

    /** The address to bind or connect to (resolves the host name). */
    public InetSocketAddress resolve() {
        InetSocketAddress a = new InetSocketAddress(host, port);
        if (a.isUnresolved()) {
            throw new RegshimException("cannot resolve host '" + host + "'");
        }
        return a;
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
