package dev.regshim.stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RoundTripTest {

    static List<Fixtures.Fixture> fixtures() {
        return Fixtures.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void writeOfReadIsByteExact(Fixtures.Fixture f) {
        byte[] out = Codec.roundTrip(f.bytes(), 0);
        assertThat(out).hasSameSizeAs(f.bytes());
        assertThat(out).isEqualTo(f.bytes());
    }
}
