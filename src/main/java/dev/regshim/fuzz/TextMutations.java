package dev.regshim.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/** Mutations for text inputs (profile JSON, register lists, fleet files): tokens parsers choke on, at random places. */
final class TextMutations {

    private static final String[] TOKENS = {"{", "}", "[", "]", "\"", ":", ",", "=", "#", "\n", "\r\n", "\t", "0x",
        "0x1", "-1", "1.5", "1e400", "18446744073709551621", "-9223372036854775809", "null", "true", "\"abc\"",
        "\\u0000", "\\ud800", "\u0000", "\u001b[2J", "\u00ff", "\ufeff", "SCTLR_EL1", "0x603000000013c080",
        "op0: 3 op1: 0 crn: 1 crm: 0 op2: 0", "kernel:6.12", "system register 0x1", "registers", "page_size",
        "vcpus", "values", "ids"};
    private static final byte[][] BAD_UTF8 = {{(byte) 0xff}, {(byte) 0xc3}, {(byte) 0xe2, (byte) 0x82},
        {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0x80}};
    /** Long runs (as the 'A' + 600 spaces + 'B' backtracking reproducer), bounded so that a case stays small. */
    private static final int MAX_RUN = 20_000;
    private static final String RUN_BYTES = " A9{[\"0,\t";

    private TextMutations() {
    }

    static byte[] mutate(byte[] src, Random rnd, StringBuilder what) {
        byte[] b = src;
        int n = 1 + rnd.nextInt(3);
        for (int k = 0; k < n; k++) {
            b = switch (rnd.nextInt(5)) {
                case 0 -> MutationFuzzer.mutate(b, rnd, what);
                case 1 -> {
                    String t = TOKENS[rnd.nextInt(TOKENS.length)];
                    what.append("token ").append(t.length()).append("; ");
                    yield insert(b, rnd, t.getBytes(StandardCharsets.UTF_8));
                }
                case 2 -> {
                    what.append("bad utf-8; ");
                    yield insert(b, rnd, BAD_UTF8[rnd.nextInt(BAD_UTF8.length)]);
                }
                case 3 -> {
                    byte[] run = new byte[1 + rnd.nextInt(rnd.nextBoolean() ? 64 : MAX_RUN)];
                    Arrays.fill(run, (byte) RUN_BYTES.charAt(rnd.nextInt(RUN_BYTES.length())));
                    what.append("run ").append(run.length).append("; ");
                    yield insert(b, rnd, run);
                }
                default -> {
                    what.append("line drop; ");
                    yield dropLine(b, rnd);
                }
            };
        }
        return b;
    }

    private static byte[] insert(byte[] b, Random rnd, byte[] ins) {
        int at = b.length == 0 ? 0 : rnd.nextInt(b.length + 1);
        byte[] o = new byte[b.length + ins.length];
        System.arraycopy(b, 0, o, 0, at);
        System.arraycopy(ins, 0, o, at, ins.length);
        System.arraycopy(b, at, o, at + ins.length, b.length - at);
        return o;
    }

    private static byte[] dropLine(byte[] b, Random rnd) {
        if (b.length == 0) {
            return b;
        }
        int from = rnd.nextInt(b.length);
        int to = from;
        while (to < b.length && b[to] != '\n') {
            to++;
        }
        byte[] o = new byte[b.length - (to - from)];
        System.arraycopy(b, 0, o, 0, from);
        System.arraycopy(b, to, o, from, b.length - to);
        return o;
    }
}
