package dev.regshim.stream;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * An output that also takes bytes straight from a {@link ByteBuffer}. {@link StreamWriter} hands RAM page data to
 * such an output without first copying it into its own heap buffer: on the proxy's hot path that is one copy of
 * every page fewer. The sink consumes {@code data}'s remaining bytes before returning and must not keep it.
 */
public interface ByteBufferSink {

    void write(ByteBuffer data) throws IOException;
}
