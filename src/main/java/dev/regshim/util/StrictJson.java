package dev.regshim.util;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.regshim.RegshimException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The rules every untrusted JSON input is read under, whether as a tree ({@link JsonInput}, for small bounded files)
 * or streamed ({@link JsonStreamInput}, for files too large for a tree): Jackson's limits on nesting, string and
 * number length, duplicate keys refused, a UTF-8 byte-order mark refused, and a size bound checked before reading.
 */
final class StrictJson {

    /** Parsers with the limits: nesting 64, strings 1 MiB, numbers 64 digits, duplicate keys refused. */
    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(1 << 20)
                    .maxNumberLength(64).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final byte[] UTF8_BOM = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf};

    private StrictJson() {
    }

    /** Refuses a document whose first bytes ({@code n} of {@code head} read) are a UTF-8 byte-order mark. */
    static void refuseBom(byte[] head, int n, String source) {
        if (n >= UTF8_BOM.length && head[0] == UTF8_BOM[0] && head[1] == UTF8_BOM[1] && head[2] == UTF8_BOM[2]) {
            throw new RegshimException(source + ": starts with a UTF-8 byte-order mark; save it without one");
        }
    }

    /** Refuses a file larger than {@code maxBytes} before anything of it is read. */
    static void refuseLarger(Path file, long maxBytes) throws IOException {
        long size = Files.size(file);
        if (size > maxBytes) {
            throw new RegshimException(file + ": " + size + " bytes, more than the " + maxBytes + " a JSON input may have");
        }
    }
}
