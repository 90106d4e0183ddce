package dev.regshim.stream.container;

import dev.regshim.RegshimException;

/** A save image or compressed stream that cannot be read or written; the message names the file and byte offset. */
public class ContainerException extends RegshimException {

    public ContainerException(String message) {
        super(message);
    }

    public ContainerException(String message, Throwable cause) {
        super(message, cause);
    }
}
