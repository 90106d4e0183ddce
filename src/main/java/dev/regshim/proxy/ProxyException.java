package dev.regshim.proxy;

import dev.regshim.RegshimException;

/** A migration the proxy stopped, with the side at fault; the message is one line naming the reason. */
public class ProxyException extends RegshimException {

    private final Fault fault;

    public ProxyException(Fault fault, String message) {
        this(fault, message, null);
    }

    public ProxyException(Fault fault, String message, Throwable cause) {
        super(message, fault.exitCode(), cause);
        this.fault = fault;
    }

    public Fault fault() {
        return fault;
    }
}
