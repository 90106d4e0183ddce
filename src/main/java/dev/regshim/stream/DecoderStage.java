package dev.regshim.stream;

import java.nio.ByteBuffer;

/**
 * One part of the stream grammar, as a {@link StreamDecoder} stage: it decodes one token at a time and hands over to
 * the next stage when its part of the stream ends. A token is decoded only once all its bytes are present; a stage
 * that needs more says how many, and the decoder calls it again with at least that many.
 */
interface DecoderStage {

    /**
     * Decodes the token at {@code in.position()}.
     *
     * @return the bytes consumed; 0 when it only handed over to another stage; or {@code -n} when the token needs
     *         {@code n} bytes from {@code in.position()} (nothing is consumed then)
     */
    int step(ByteBuffer in);

    /** What the input is inside while this stage decodes, for messages: {@code a RAM record}. */
    String inside();

    /**
     * End of input at stream offset {@code end} ({@code midToken}: part of a token was left over); returns when the
     * stream may end here, else throws.
     */
    default void finish(long end, boolean midToken) {
        throw truncated(end, inside());
    }

    static StreamFormatException truncated(long end, String inside) {
        return new StreamFormatException(end, null, "stream ends inside " + inside + " (truncated)");
    }
}
