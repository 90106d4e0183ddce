package dev.regshim.stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VmdescTest {

    static List<Fixtures.Fixture> fixtures() {
        return Fixtures.all();
    }

    private static Vmdesc of(String fixture) {
        return Codec.summary(Fixtures.stream(fixture), 0).vmdesc();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void reserialisingUnchangedJsonIsByteIdentical(Fixtures.Fixture f) {
        Vmdesc v = Codec.summary(f.bytes(), 0).vmdesc();
        assertThat(v.reserialize()).isEqualTo(v.raw());
        assertThat(v.encode()).isEqualTo(v.raw());
        assertThat(v.isChanged()).isFalse();
    }

    @Test
    void cpregCountIsWrittenTheWayQemuWritesIt() {
        Vmdesc v = of("qemu-7.2/max");
        assertThat(v.cpregCount(0)).isEqualTo(304);
        String raw = new String(v.raw(), StandardCharsets.UTF_8);

        String n294 = new String(v.withCpregCount(0, 294).encode(), StandardCharsets.UTF_8);
        assertThat(n294).isEqualTo(raw.replace("\"cpreg_vmstate_indexes\", \"array_len\": 304",
                "\"cpreg_vmstate_indexes\", \"array_len\": 294").replace("\"cpreg_vmstate_values\", \"array_len\": 304",
                "\"cpreg_vmstate_values\", \"array_len\": 294"));

        String n1 = new String(v.withCpregCount(0, 1).encode(), StandardCharsets.UTF_8);
        assertThat(n1).contains("{\"name\": \"cpreg_vmstate_indexes\", \"type\": \"uint64\", \"size\": 8}, "
                + "{\"name\": \"cpreg_vmstate_values\", \"type\": \"uint64\", \"size\": 8}");
        assertThat(n1.length()).isEqualTo(raw.length() - 2 * ", \"array_len\": 304".length());

        Vmdesc zero = v.withCpregCount(0, 0);
        String n0 = new String(zero.encode(), StandardCharsets.UTF_8);
        assertThat(n0).doesNotContain("cpreg_vmstate_indexes").doesNotContain("cpreg_vmstate_values")
                .contains("{\"name\": \"cpreg_vmstate_array_len\", \"type\": \"int32 le\", \"size\": 4}, "
                        + "{\"name\": \"env.exclusive_addr\"");
        assertThat(zero.cpregCount(0)).isZero();

        // back from 0 entries to 304: the original bytes
        assertThat(zero.withCpregCount(0, 304).encode()).isEqualTo(v.raw());
        assertThat(v.withCpregCount(0, 1).withCpregCount(0, 304).encode()).isEqualTo(v.raw());
        assertThat(v.withCpregCount(0, 304).encode()).isEqualTo(v.raw());
        assertThat(v.withCpregCount(0, 5).encodedLength()).isEqualTo(5 + v.withCpregCount(0, 5).encode().length);
    }

    @Test
    void onlyTheNamedInstanceChanges() {
        Vmdesc v = of("qemu-7.2/gen-max_smp2");
        Vmdesc w = v.withCpregCount(1, 7);
        assertThat(w.cpregCount(0)).isEqualTo(304);
        assertThat(w.cpregCount(1)).isEqualTo(7);
        JsonNode before = v.tree();
        JsonNode after = w.tree();
        assertThat(after.get("devices").size()).isEqualTo(before.get("devices").size());
    }

    @Test
    void qemu100ConfigurationObjectIsKept() {
        Vmdesc v = of("qemu-10.0/max");
        assertThat(v.tree().fieldNames()).toIterable().containsExactly("configuration", "page_size", "devices");
        byte[] out = v.withCpregCount(0, 300).withCpregCount(0, 329).encode();
        assertThat(out).isEqualTo(v.raw());
    }

    @Test
    void escapesLikeQemu() {
        byte[] json = "{\"devices\": [], \"s\": \"a\\\"b\\\\c\\n\\u0001\\u00E9\\uD83D\\uDE00\"}"
                .getBytes(StandardCharsets.UTF_8);
        Vmdesc v = Vmdesc.parse(json, 0, StreamLimits.defaults());
        assertThat(new String(v.reserialize(), StandardCharsets.UTF_8)).isEqualTo(new String(json,
                StandardCharsets.UTF_8));
    }

    @Test
    void hostileJsonIsRejectedWithTheOffset() {
        assertThatThrownBy(() -> Vmdesc.parse("{\"devices\": [".getBytes(), 1000, StreamLimits.defaults()))
                .isInstanceOf(StreamFormatException.class).hasMessageStartingWith("offset 10")
                .hasMessageContaining("(vmdesc): invalid JSON");
        assertThatThrownBy(() -> Vmdesc.parse("[1]".getBytes(), 0, StreamLimits.defaults()))
                .hasMessageContaining("not an object");
        assertThatThrownBy(() -> Vmdesc.parse("{\"devices\": 1}".getBytes(), 0, StreamLimits.defaults()))
                .hasMessageContaining("no \"devices\" array");
        assertThatThrownBy(() -> Vmdesc.parse("{\"devices\": [], \"devices\": []}".getBytes(), 0,
                StreamLimits.defaults())).hasMessageContaining("Duplicate field");
        String deep = "{\"devices\": [], \"x\": " + "[".repeat(500) + "]".repeat(500) + "}";
        assertThatThrownBy(() -> Vmdesc.parse(deep.getBytes(), 0, StreamLimits.defaults()))
                .isInstanceOf(StreamFormatException.class).hasMessageContaining("nesting depth");
    }
}
