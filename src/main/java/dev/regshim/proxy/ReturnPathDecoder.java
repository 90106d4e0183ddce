package dev.regshim.proxy;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Incremental decoder of the return path ({@link ReturnPathMessage}): feed it what arrives from the destination in
 * chunks of any size; each complete, valid message is passed on, a partial one waits for its remaining bytes. A
 * message of an unknown type or with a length QEMU would reject is a {@link ProxyException} (the destination is
 * sending garbage), raised before any of its bytes are passed on.
 */
final class ReturnPathDecoder {

    private final byte[] message = new byte[ReturnPathMessage.HEADER_BYTES + ReturnPathMessage.MAX_DATA_BYTES];
    private int have;
    private int need = ReturnPathMessage.HEADER_BYTES;
    private long offset;
    private long messages;

    /** Bytes fully decoded so far (the offset of the next message). */
    long offset() {
        return offset;
    }

    long messages() {
        return messages;
    }

    /** True when no message is half-received. */
    boolean atBoundary() {
        return have == 0;
    }

    void feed(ByteBuffer in, Consumer<ReturnPathMessage> out) {
        while (in.hasRemaining()) {
            int take = Math.min(need - have, in.remaining());
            in.get(message, have, take);
            have += take;
            if (have < need) {
                return;
            }
            if (need == ReturnPathMessage.HEADER_BYTES) {
                need += checkedLength();
                if (have < need) {
                    continue;
                }
            }
            int type = type();
            byte[] data = new byte[need - ReturnPathMessage.HEADER_BYTES];
            System.arraycopy(message, ReturnPathMessage.HEADER_BYTES, data, 0, data.length);
            offset += need;
            messages++;
            have = 0;
            need = ReturnPathMessage.HEADER_BYTES;
            out.accept(new ReturnPathMessage(type, data));
        }
    }

    private int type() {
        return ((message[ReturnPathMessage.TYPE_OFFSET] & 0xff) << 8) | (message[ReturnPathMessage.TYPE_OFFSET + 1] & 0xff);
    }

    private int checkedLength() {
        int type = type();
        int len = ((message[ReturnPathMessage.LENGTH_OFFSET] & 0xff) << 8) | (message[ReturnPathMessage.LENGTH_OFFSET + 1] & 0xff);
        if (!ReturnPathMessage.isKnown(type)) {
            throw garbage(String.format("unknown message type 0x%04x", type));
        }
        int expected = ReturnPathMessage.expectedLength(type);
        if (expected >= 0 && len != expected) {
            throw garbage(ReturnPathMessage.name(type) + " with length " + len + ", expected " + expected);
        }
        if (len > ReturnPathMessage.MAX_DATA_BYTES) {
            throw garbage(ReturnPathMessage.name(type) + " with length " + len + ", more than the "
                    + ReturnPathMessage.MAX_DATA_BYTES + " QEMU accepts");
        }
        return len;
    }

    private ProxyException garbage(String what) {
        return new ProxyException(Fault.DESTINATION, "the destination sent garbage on the return path at byte "
                + offset + ": " + what);
    }
}
