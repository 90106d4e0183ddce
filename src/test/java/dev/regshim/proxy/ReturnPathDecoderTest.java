package dev.regshim.proxy;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The return-path decoder: whole, one byte at a time, random chunks; garbage named with its offset. */
class ReturnPathDecoderTest {

    private static final List<ReturnPathMessage> MESSAGES = List.of(
            new ReturnPathMessage(ReturnPathMessage.PONG, new byte[]{0, 0, 0, 1}),
            new ReturnPathMessage(ReturnPathMessage.SWITCHOVER_ACK, new byte[0]),
            new ReturnPathMessage(ReturnPathMessage.REQ_PAGES_ID, "ram-node0".getBytes()),
            new ReturnPathMessage(ReturnPathMessage.SHUT, new byte[]{0, 0, 0, 0}));

    private static byte[] wire() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        MESSAGES.forEach(m -> b.writeBytes(m.encode()));
        return b.toByteArray();
    }

    private static List<ReturnPathMessage> decode(byte[] wire, Random chunks) {
        ReturnPathDecoder d = new ReturnPathDecoder();
        List<ReturnPathMessage> out = new ArrayList<>();
        int p = 0;
        while (p < wire.length) {
            int n = chunks == null ? wire.length : 1 + chunks.nextInt(Math.min(7, wire.length - p));
            n = Math.min(n, wire.length - p);
            d.feed(ByteBuffer.wrap(wire, p, n), out::add);
            p += n;
        }
        assertThat(d.atBoundary()).isTrue();
        assertThat(d.offset()).isEqualTo(wire.length);
        return out;
    }

    @Test
    void decodesTheSameWholeOneByteAtATimeAndInRandomChunks() {
        byte[] wire = wire();
        List<ReturnPathMessage> whole = decode(wire, null);
        assertThat(whole).extracting(ReturnPathMessage::toString)
                .containsExactly("PONG 1", "SWITCHOVER_ACK (0 bytes)", "REQ_PAGES_ID (9 bytes)", "SHUT 0");
        for (int seed = 0; seed < 50; seed++) {
            assertThat(decode(wire, new Random(seed))).extracting(ReturnPathMessage::toString)
                    .isEqualTo(whole.stream().map(ReturnPathMessage::toString).toList());
        }
        ReturnPathDecoder one = new ReturnPathDecoder();
        List<byte[]> reencoded = new ArrayList<>();
        for (byte b : wire) {
            one.feed(ByteBuffer.wrap(new byte[]{b}), m -> reencoded.add(m.encode()));
        }
        ByteArrayOutputStream round = new ByteArrayOutputStream();
        reencoded.forEach(round::writeBytes);
        assertThat(round.toByteArray()).isEqualTo(wire);
    }

    @Test
    void aPartialMessageIsHeldUntilComplete() {
        byte[] shut = MESSAGES.get(3).encode();
        ReturnPathDecoder d = new ReturnPathDecoder();
        List<ReturnPathMessage> out = new ArrayList<>();
        d.feed(ByteBuffer.wrap(shut, 0, shut.length - 1), out::add);
        assertThat(out).isEmpty();
        assertThat(d.atBoundary()).isFalse();
        d.feed(ByteBuffer.wrap(shut, shut.length - 1, 1), out::add);
        assertThat(out).singleElement().satisfies(m -> assertThat(m.be32()).isZero());
    }

    @Test
    void garbageIsNamedWithItsOffsetBeforeAnyOfItIsPassedOn() {
        byte[] good = MESSAGES.get(0).encode();
        assertGarbage(new byte[]{0, 0, 0, 4, 0, 0, 0, 0}, "at byte 0: unknown message type 0x0000");
        assertGarbage(concat(good, new byte[]{0, 9, 0, 0}), "at byte 8: unknown message type 0x0009");
        assertGarbage(new byte[]{0, 1, 0, 5, 0, 0, 0, 0, 0}, "SHUT with length 5, expected 4");
        assertGarbage(new byte[]{0, 4, 0, 4, 0, 0, 0, 0}, "REQ_PAGES with length 4, expected 12");
        assertGarbage(new byte[]{0, 3, 0x02, 0x01}, "REQ_PAGES_ID with length 513, more than the 512 QEMU accepts");
    }

    private static void assertGarbage(byte[] wire, String message) {
        List<ReturnPathMessage> passed = new ArrayList<>();
        assertThatThrownBy(() -> new ReturnPathDecoder().feed(ByteBuffer.wrap(wire), passed::add))
                .isInstanceOf(ProxyException.class)
                .hasMessageStartingWith("the destination sent garbage on the return path")
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((ProxyException) e).fault()).isEqualTo(Fault.DESTINATION));
        assertThat(passed.size()).isLessThanOrEqualTo(1);
    }

    @Test
    void postcopyMessagesAreRecognised() {
        assertThat(new ReturnPathMessage(ReturnPathMessage.REQ_PAGES, new byte[12]).isPostcopy()).isTrue();
        assertThat(new ReturnPathMessage(ReturnPathMessage.SHUT, new byte[4]).isPostcopy()).isFalse();
        assertThat(ReturnPathMessage.name(42)).isEqualTo("0x002a");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
