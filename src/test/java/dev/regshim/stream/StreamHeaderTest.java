package dev.regshim.stream;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class StreamHeaderTest {

    private static StreamFormatException read(int magic) {
        byte[] b = ByteBuffer.allocate(64).putInt(magic).putInt(WireFormat.VERSION).array();
        return catchThrowableOfType(StreamFormatException.class,
                () -> StreamReader.summarize(new ByteArrayInputStream(b), ReadOptions.defaults()));
    }

    /** Callers tell another protocol's channel (QEMU's multifd) from garbage by the value, not the message. */
    @Test
    void aWrongMagicIsReportedAsTheValueFound() {
        StreamFormatException e = read(0x1122_3344);
        assertThat(e.offset()).isZero();
        assertThat(e.foundMagic()).hasValue(0x1122_3344);
        assertThat(e.getMessage()).isEqualTo("offset 0: not a QEMU migration stream: magic 0x11223344, expected "
                + "0x5145564d (QEVM)");
    }

    @Test
    void otherErrorsCarryNoMagic() {
        byte[] b = ByteBuffer.allocate(8).putInt(WireFormat.MAGIC).putInt(2).array();
        StreamFormatException e = catchThrowableOfType(StreamFormatException.class,
                () -> StreamReader.summarize(new ByteArrayInputStream(b), ReadOptions.defaults()));
        assertThat(e.foundMagic()).isEmpty();
        assertThat(e.getMessage()).contains("SaveVM v2");
    }
}
