package dev.regshim.stream;

import dev.regshim.cli.Main;
import dev.regshim.fuzz.StreamShrinker;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Truncated, corrupt and malicious streams give one-line errors naming the offset and the section. */
class HostileInputTest {

    private static final byte[] MAX = Fixtures.stream("qemu-7.2/max");
    private static final StreamSummary MAX_SUMMARY = Codec.summary(MAX, 0);

    private static StreamFormatException fail(byte[] b) {
        return fail(b, StreamLimits.defaults(), false);
    }

    private static StreamFormatException fail(byte[] b, StreamLimits limits, boolean ignoreVmdesc) {
        StreamFormatException e = catchThrowableOfType(StreamFormatException.class, () -> {
            StreamSummary.Collector c = new StreamSummary.Collector();
            Codec.decode(b, c, StreamDecoder.builder(c).limits(limits).ignoreVmdesc(ignoreVmdesc), 0);
        });
        assertThat(e).as("expected a StreamFormatException").isNotNull();
        assertThat(e.getMessage()).doesNotContain("\n").startsWith("offset " + e.offset());
        return e;
    }

    private static int cpuArrays() {
        return (int) MAX_SUMMARY.cpus().get(0).cpregArrayOffset();
    }

    @Test
    void badMagicAndVersion() {
        byte[] b = MAX.clone();
        b[0] = 'X';
        assertThat(fail(b).getMessage()).isEqualTo("offset 0: not a QEMU migration stream: magic 0x5845564d, "
                + "expected 0x5145564d (QEVM)");
        b = MAX.clone();
        b[7] = 2;
        assertThat(fail(b).getMessage()).contains("offset 4:").contains("obsolete");
    }

    @Test
    void truncatedAnywhereIsReportedAtTheEnd() {
        byte[] small = StreamShrinker.dropZeroPages(MAX, 2);
        StreamSummary s = Codec.summary(small, 0);
        for (int cut = 0; cut < small.length; cut += cut < 600 ? 1 : 97) {
            if (cut == s.eofOffset() + 1) {
                continue; // EOF without a trailer is a complete stream
            }
            byte[] b = Arrays.copyOf(small, cut);
            for (boolean ignore : new boolean[]{false, true}) {
                StreamFormatException e = fail(b, StreamLimits.defaults(), ignore);
                assertThat(e.getMessage()).as("cut at %d", cut).contains("truncated");
                assertThat(e.offset()).as("cut at %d", cut).isEqualTo(cut);
            }
        }
    }

    @Test
    void unknownSectionType() {
        byte[] b = MAX.clone();
        b[467609] = 0x09;
        assertThat(fail(b).getMessage()).isEqualTo("offset 467609: unknown section type 0x09");
    }

    @Test
    void badFooters() {
        byte[] b = MAX.clone();
        b[246] = 9; // START 'ram' footer: 7e 00000002 at 242
        assertThat(fail(b).getMessage()).isEqualTo("offset 242 (section 2 'ram' instance 0): footer names section 9, "
                + "expected 2");
        b = MAX.clone();
        int timerFooter = 467627 + 48 - 5;
        b[timerFooter + 4] = 0x55;
        assertThat(fail(b).getMessage()).isEqualTo("offset " + timerFooter
                + " (section 0 'timer' instance 0): footer names section 85, expected 0");
        assertThat(fail(b, StreamLimits.defaults(), true).getMessage())
                .contains("(section 0 'timer' instance 0): stream ends without this section's footer");
        b = MAX.clone();
        int cpuEnd = 467796 + 10281 - 5;
        b[cpuEnd] = 0x7d;
        assertThat(fail(b, StreamLimits.defaults(), true).getMessage()).isEqualTo("offset " + cpuEnd
                + " (section 7 'cpu' instance 0): expected the section footer 0x7e after the field data "
                + "(ARM cpu layout), found 0x7d");
    }

    @Test
    void unsortedAndDuplicateCpregIds() {
        byte[] b = MAX.clone();
        int idx = cpuArrays() + 4;
        long a = ByteBuffer.wrap(b).getLong(idx + 8 * 12);
        long c = ByteBuffer.wrap(b).getLong(idx + 8 * 13);
        ByteBuffer.wrap(b).putLong(idx + 8 * 12, c).putLong(idx + 8 * 13, a);
        for (boolean ignore : new boolean[]{false, true}) {
            String m = fail(b, StreamLimits.defaults(), ignore).getMessage();
            assertThat(m).isEqualTo(String.format("offset %d (section 7 'cpu' instance 0): cpreg index 13 0x%016x "
                    + "(%s) is not greater than the previous 0x%016x - IDs must be sorted and unique", idx + 8 * 13, a,
                    dev.regshim.regs.RegCatalog.get().name(dev.regshim.regs.RegId.of(a)), c));
        }
        b = MAX.clone();
        ByteBuffer.wrap(b).putLong(idx + 8 * 200, ByteBuffer.wrap(b).getLong(idx + 8 * 199));
        assertThat(fail(b).getMessage()).contains("cpreg index 200").contains("sorted and unique");
        b = MAX.clone();
        ByteBuffer.wrap(b).putLong(idx + 8 * 303, 0x6040_0000_0010_0000L); // a core register: never a cpreg
        assertThat(fail(b).getMessage()).contains("cpreg index 303 0x6040000000100000 is not a register ID QEMU "
                + "migrates");
    }

    @Test
    void hugeCpregCount() {
        byte[] b = MAX.clone();
        ByteBuffer.wrap(b).putInt(cpuArrays(), 0x7fff_ffff);
        assertThat(fail(b).getMessage()).isEqualTo("offset " + cpuArrays() + " (section 7 'cpu' instance 0): "
                + "cpreg_vmstate_array_len 2147483647 exceeds the limit of 4096 registers");
        assertThat(fail(b, StreamLimits.defaults(), true).getMessage()).contains("cpreg_vmstate_array_len 2147483647 "
                + "is outside 0..4096");
        ByteBuffer.wrap(b).putInt(cpuArrays(), 305);
        assertThat(fail(b).getMessage()).contains("cpreg_vmstate_array_len is 305 but the vmdesc records 304");
        ByteBuffer.wrap(b).putInt(cpuArrays(), -1);
        assertThat(fail(b).getMessage()).contains("cpreg_vmstate_array_len -1 is negative");
    }

    @Test
    void junkAfterEofAndAfterTheTrailer() {
        byte[] noTrailer = Arrays.copyOf(MAX, (int) MAX_SUMMARY.eofOffset() + 1);
        assertThat(Codec.roundTrip(noTrailer, 0)).isEqualTo(noTrailer);
        byte[] junk = Arrays.copyOf(noTrailer, noTrailer.length + 3);
        junk[noTrailer.length] = 0x42;
        assertThat(fail(junk).getMessage()).isEqualTo("offset " + noTrailer.length + ": junk after EOF: byte 0x42 "
                + "where only the vmdesc trailer (0x06) or the end of the stream may follow");
        byte[] after = Arrays.copyOf(MAX, MAX.length + 2);
        assertThat(fail(after).getMessage()).isEqualTo("offset " + MAX.length + ": 2 bytes of junk after the vmdesc "
                + "trailer");
    }

    @Test
    void badVmdesc() {
        byte[] b = MAX.clone();
        int json = (int) MAX_SUMMARY.vmdesc().offset() + 5;
        b[json + 1] = 'x'; // {"page_size" -> {xpage_size"
        StreamFormatException e = fail(b);
        assertThat(e.getMessage()).contains("(vmdesc): invalid JSON");
        assertThat(e.offset()).isBetween((long) json, (long) json + 2);
        b = MAX.clone();
        ByteBuffer.wrap(b).putInt(json - 4, -1);
        assertThat(fail(b).getMessage()).isEqualTo("offset " + (json - 4) + " (vmdesc): trailer length 4294967295 "
                + "exceeds the limit of 16777216");
        // a stale vmdesc (cpu array_len 300 while the stream has 304)
        String text = new String(MAX, json, MAX.length - json, StandardCharsets.ISO_8859_1)
                .replace("\"array_len\": 304", "\"array_len\": 300");
        byte[] stale = Arrays.copyOf(MAX, json + text.length());
        System.arraycopy(text.getBytes(StandardCharsets.ISO_8859_1), 0, stale, json, text.length());
        ByteBuffer.wrap(stale).putInt(json - 4, text.length());
        assertThat(fail(stale).getMessage()).contains("(section 7 'cpu' instance 0): vmdesc expects subsection "
                + "'cpu/vfp' here");
        // QEMU ignores the trailer: the layout walk still reads the stale stream
        StreamSummary.Collector c = new StreamSummary.Collector();
        Codec.decode(stale, c, StreamDecoder.builder(c).ignoreVmdesc(true), 0);
        assertThat(c.summary().cpus().get(0).cpregCount()).isEqualTo(304);
    }

    @Test
    void absurdRamBlocks() {
        byte[] b = MAX.clone();
        int usedAt = 0x56 + 1 + "mach-virt.ram".length(); // first block entry after the MEM_SIZE header
        ByteBuffer.wrap(b).putLong(usedAt, 1L << 62);
        assertThat(fail(b).getMessage()).startsWith("offset 86 (section 2 'ram' instance 0): RAM block "
                + "'mach-virt.ram' used length 0x4000000000000000 exceeds what is left of the MEM_SIZE total");
        b = MAX.clone();
        ByteBuffer.wrap(b).putLong(0x4e, (1L << 62) | RamFlags.MEM_SIZE);
        assertThat(fail(b).getMessage()).contains("(section 2 'ram' instance 0): RAM block with an empty name");
        b = MAX.clone();
        int firstPage = 0xfc;
        b[firstPage + 9] = 'M'; // "mach-virt.ram" -> "Mach-virt.ram"
        assertThat(fail(b).getMessage()).isEqualTo("offset 252 (section 2 'ram' instance 0): page of unknown RAM "
                + "block 'Mach-virt.ram' (not in the MEM_SIZE list)");
        b = MAX.clone();
        ByteBuffer.wrap(b).putLong(firstPage, (80L << 20) | RamFlags.PAGE);
        assertThat(fail(b).getMessage()).contains("page offset 0x5000000 is beyond RAM block 'mach-virt.ram'");
    }

    @Test
    void capabilitiesWeCannotDecodeAreNamed() {
        byte[] b = MAX.clone();
        ByteBuffer.wrap(b).putLong(0xfc, RamFlags.PAGE | RamFlags.XBZRLE);
        assertThat(fail(b).getMessage()).isEqualTo("offset 252 (section 2 'ram' instance 0): RAM record flags 0x48 "
                + "use XBZRLE (capability xbzrle), which this reader cannot decode");
        ByteBuffer.wrap(b).putLong(0xfc, RamFlags.MULTIFD_FLUSH);
        assertThat(fail(b).getMessage()).contains("MULTIFD_FLUSH (capability multifd)");
        ByteBuffer.wrap(b).putLong(0xfc, RamFlags.COMPRESS_PAGE | RamFlags.CONTINUE);
        assertThat(fail(b).getMessage()).contains("COMPRESS_PAGE (capability compress)");
        byte[] mapped = Synth.start().config("virt-9.0", Synth.pageBits(12), Synth.capabilities("mapped-ram"))
                .eof().bytes();
        assertThat(fail(mapped).getMessage()).contains("(configuration): capability 'mapped-ram' is not supported");
        byte[] unknown = Synth.start().config("virt-9.0", Synth.capabilities("x-colo")).eof().bytes();
        assertThat(fail(unknown).getMessage()).contains("capability 'x-colo' is not supported");
        byte[] both = Synth.start().config("virt-7.2", Synth.pageBits(12), Synth.capabilities("x-ignore-shared"))
                .command(VmCommand.POSTCOPY_ADVISE, new byte[16])
                .ramStart(2, new RamBlock("a", 4096, RamBlock.ABSENT, 0x40000000)).eof().bytes();
        assertThat(fail(both).getMessage()).contains("postcopy-ram together with x-ignore-shared");
    }

    @Test
    void commandsAndStructure() {
        byte[] unknownCmd = Synth.start().config("virt-7.2", Synth.pageBits(12)).command(0x63, new byte[0]).eof()
                .bytes();
        assertThat(fail(unknownCmd).getMessage()).isEqualTo("offset 61: unknown command 0x63 (length 0)");
        byte[] badLen = Synth.start().config("virt-7.2", Synth.pageBits(12)).command(VmCommand.PING, new byte[3])
                .eof().bytes();
        assertThat(fail(badLen).getMessage()).contains("command PING has length 3, expected 4");
        byte[] hugePackage = Synth.start().config("virt-7.2", Synth.pageBits(12))
                .command(VmCommand.PACKAGED, new byte[]{0x7f, 0, 0, 0}).bytes();
        assertThat(fail(hugePackage).getMessage()).contains("PACKAGED payload of 2130706432 bytes exceeds the limit");
        byte[] fullInRam = Synth.start().config("virt-7.2", Synth.pageBits(12))
                .ramStart(2, new RamBlock("a", 8192, RamBlock.ABSENT, RamBlock.ABSENT))
                .device(3, "x", 0, 1, new byte[0]).bytes();
        assertThat(fail(fullInRam).getMessage()).contains("FULL section before the end of RAM");
        byte[] badPageBits = Synth.start().config("virt-7.2", Synth.pageBits(40)).eof().bytes();
        assertThat(fail(badPageBits).getMessage()).contains("target-page-bits 40 is outside 10..16");
        byte[] secondConfig = Synth.start().config("virt-7.2").config("virt-7.2").eof().bytes();
        assertThat(fail(secondConfig).getMessage()).contains("configuration record is only allowed right after");
    }

    @Test
    void limitsAreEnforced() {
        StreamLimits shortNames = StreamLimits.builder().maxNameLength(8).build();
        assertThat(fail(MAX, shortNames, false).getMessage()).contains("FULL section idstr length 12 exceeds the "
                + "limit of 8");
        StreamLimits smallDevices = StreamLimits.builder().maxBufferedDeviceBytes(1000).build();
        assertThat(fail(MAX, smallDevices, false).getMessage()).contains("device state after RAM exceeds the buffer "
                + "limit of 1000 bytes");
        StreamLimits fewRegs = StreamLimits.builder().maxCpregCount(300).build();
        assertThat(fail(MAX, fewRegs, false).getMessage()).contains("exceeds the limit of 300 registers");
        StreamLimits fewBlocks = StreamLimits.builder().maxRamBlocks(3).build();
        assertThat(fail(MAX, fewBlocks, false).getMessage()).contains("more than 3 RAM blocks");
        StreamLimits fewSections = StreamLimits.builder().maxDeviceSections(5).build();
        assertThat(fail(MAX, fewSections, false).getMessage()).contains("more than 5 device sections");
        StreamLimits smallVmdesc = StreamLimits.builder().maxVmdescBytes(100).build();
        assertThat(fail(MAX, smallVmdesc, false).getMessage()).contains("trailer length 11997 exceeds the limit of 100");
    }

    @Test
    void unknownCpuSubsectionAndVersion() {
        byte[] b = MAX.clone();
        String s = new String(b, StandardCharsets.ISO_8859_1);
        int at = s.indexOf("cpu/irq-line-state");
        b[at + 17] = 'f';
        assertThat(fail(b, StreamLimits.defaults(), true).getMessage()).contains("(section 7 'cpu' instance 0): "
                + "unknown cpu subsection 'cpu/irq-line-statf'");
        assertThat(fail(b).getMessage()).contains("vmdesc expects subsection 'cpu/irq-line-state' here");
        b = MAX.clone();
        b[467796 + 16] = 21;
        assertThat(fail(b, StreamLimits.defaults(), true).getMessage()).contains("cpu section version 21 has no "
                + "known layout");
        assertThat(fail(b).getMessage()).contains("vmdesc device entry 4 has version 22, the section has 21");
    }

    @Test
    void cliPrintsOneLineAndExitsTwo() throws Exception {
        byte[] b = MAX.clone();
        b[467609] = 0x09;
        Path f = Files.createTempFile("bad", ".mig");
        try {
            Files.write(f, b);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cl = Main.newCommandLine();
            cl.setOut(new PrintWriter(out));
            cl.setErr(new PrintWriter(err));
            int code = cl.execute("inspect", f.toString());
            assertThat(code).isEqualTo(2);
            assertThat(err.toString()).isEqualTo("regshim: " + f + ": offset 467609: unknown section type 0x09"
                    + System.lineSeparator());
            assertThat(out.toString()).isEmpty();
        } finally {
            Files.delete(f);
        }
    }

    @Test
    void decoderRefusesUseAfterFailure() {
        StreamDecoder d = StreamDecoder.builder(new StreamVisitor() { }).build();
        assertThatThrownBy(() -> d.feed(ByteBuffer.wrap(new byte[]{1, 2, 3, 4, 5, 6, 7, 8})))
                .isInstanceOf(StreamFormatException.class);
        assertThatThrownBy(() -> d.feed(ByteBuffer.wrap(new byte[1]))).isInstanceOf(IllegalStateException.class);
    }
}
