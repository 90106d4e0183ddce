package dev.regshim.libvirt;

import dev.regshim.RegshimException;

/** A libvirt problem with its kind, so that callers decide on the kind and never on the message. */
public final class LibvirtException extends RegshimException {

    public enum Kind {
        /** no virsh on PATH */
        VIRSH_MISSING,
        /** virsh cannot connect to the URI */
        UNREACHABLE,
        /** the daemon answers but has no such domain */
        NO_DOMAIN,
        /** the domain is not an aarch64 guest */
        NOT_AARCH64,
        /** domain XML or a QEMU command line regshim cannot use */
        BAD_INPUT,
        /** virsh failed otherwise */
        VIRSH_FAILED
    }

    private final Kind kind;

    public LibvirtException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
