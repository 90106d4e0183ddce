package dev.regshim.proxy;

import dev.regshim.RegshimException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostPortTest {

    @Test
    void aBarePortMeansLoopback() {
        assertThat(HostPort.parse("4444")).isEqualTo(new HostPort("127.0.0.1", 4444));
        assertThat(HostPort.parse(":4444")).isEqualTo(new HostPort("127.0.0.1", 4444));
        assertThat(HostPort.parse("0.0.0.0:4444").host()).isEqualTo("0.0.0.0");
    }

    @Test
    void ipv6InBrackets() {
        HostPort h = HostPort.parse("[::1]:5555");
        assertThat(h).isEqualTo(new HostPort("::1", 5555));
        assertThat(h.toString()).isEqualTo("[::1]:5555");
        assertThat(h.resolve().getAddress().isLoopbackAddress()).isTrue();
    }

    @Test
    void errorsSayWhatIsWrong() {
        assertThatThrownBy(() -> HostPort.parse("")).isInstanceOf(RegshimException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> HostPort.parse("h:-1")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> HostPort.parse("h:65536")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> HostPort.parse("[::1]5")).hasMessageContaining("[IPV6]:PORT");
        assertThatThrownBy(() -> HostPort.parse("fe80::1:5")).hasMessageContaining("[ADDR]:PORT");
        assertThatThrownBy(() -> HostPort.parse("no-such-host.invalid:5").resolve())
                .hasMessageContaining("cannot resolve host");
    }
}
