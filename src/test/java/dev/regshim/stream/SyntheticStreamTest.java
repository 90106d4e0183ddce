package dev.regshim.stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Structures the real fixtures do not have, built with the writer and read back whole and in random chunks. */
class SyntheticStreamTest {

    @TempDir
    Path tmp;

    private static StreamSummary readAllWays(byte[] b) {
        StreamSummary whole = Codec.summary(b, 0);
        String expect = Describe.summary(whole, true);
        assertThat(Describe.summary(Codec.summary(b, 1), true)).isEqualTo(expect);
        for (long seed = 1; seed <= 3; seed++) {
            StreamSummary.Collector c = new StreamSummary.Collector();
            Codec.decodeRandom(b, c, StreamDecoder.builder(c), new Random(seed), 64);
            assertThat(Describe.summary(c.summary(), true)).as("seed %d", seed).isEqualTo(expect);
        }
        assertThat(Codec.roundTrip(b, 0)).isEqualTo(b);
        assertThat(Codec.roundTrip(b, 1)).isEqualTo(b);
        return whole;
    }

    @Test
    void ignoreSharedBlocksCarryRegionAddresses() {
        byte[] b = Synth.start().config("virt-7.2", Synth.pageBits(12), Synth.capabilities("x-ignore-shared"),
                        Synth.uuid())
                .ramStart(2, new RamBlock("mach-virt.ram", 8192, RamBlock.ABSENT, 0x4000_0000L),
                        new RamBlock("virt.flash0", 4096, RamBlock.ABSENT, 0))
                .part(2, false).page("mach-virt.ram", 4096, false, (byte) 7).zero("virt.flash0", 0, false).eos()
                .footer(2).part(2, true).eos().footer(2).eof().bytes();
        StreamSummary s = readAllWays(b);
        assertThat(s.configuration().capabilities()).containsExactly("x-ignore-shared");
        assertThat(s.configuration().uuid()).contains("00112233445566778899aabbccddeeff");
        assertThat(s.ramBlocks().get(0).block().mrAddr()).isEqualTo(0x4000_0000L);
        assertThat(s.ramBlocks().get(1).block().mrAddr()).isZero();
        assertThat(s.ramBlocks()).extracting(StreamSummary.RamBlockStats::dataPages).containsExactly(1L, 0L);
        assertThat(s.ramBlocks()).extracting(StreamSummary.RamBlockStats::zeroPages).containsExactly(0L, 1L);
        assertThat(s.vmdesc()).isNull();
    }

    @Test
    void postcopyHugePageSizesAreTold() {
        byte[] b = Synth.start().config("virt-7.2", Synth.pageBits(12))
                .command(VmCommand.POSTCOPY_ADVISE, new byte[16])
                .ramStart(2, new RamBlock("huge", 2 << 20, 2 << 20, RamBlock.ABSENT),
                        new RamBlock("small", 4096, RamBlock.ABSENT, RamBlock.ABSENT),
                        new RamBlock("last", 1 << 30, 1 << 30, RamBlock.ABSENT))
                .part(2, true).eos().footer(2).eof().bytes();
        StreamSummary s = readAllWays(b);
        assertThat(s.ramBlocks()).extracting(r -> r.block().pageSize()).containsExactly(2L << 20, -1L, 1L << 30);
        assertThat(s.commands()).extracting(VmCommand::name).containsExactly("POSTCOPY_ADVISE");
    }

    @Test
    void packagedPayloadPassesThrough() {
        byte[] payload = new byte[300];
        new Random(5).nextBytes(payload);
        byte[] b = Synth.start().config("virt-7.2", Synth.pageBits(12))
                .command(VmCommand.OPEN_RETURN_PATH, new byte[0])
                .command(VmCommand.PACKAGED, new byte[]{0, 0, 1, 44}).raw(payload)
                .command(VmCommand.PING, new byte[]{0, 0, 0, 1})
                .eof().bytes();
        StreamSummary s = readAllWays(b);
        assertThat(s.packagedBytes()).isEqualTo(300);
        assertThat(s.commands()).extracting(VmCommand::name)
                .containsExactly("OPEN_RETURN_PATH", "PACKAGED", "PING");
        assertThat(s.commands().get(1).packagedLength()).isEqualTo(300);
    }

    @Test
    void continueChainsCrossSectionsAndPageBitsFollowTheConfiguration() {
        byte[] b = Synth.start().config("virt-2.6")  // no target-page-bits: the 1 KiB legacy page
                .ramStart(2, new RamBlock("r", 4096, RamBlock.ABSENT, RamBlock.ABSENT))
                .part(2, false).zero("r", 0, false).zero(null, 1024, true).eos().footer(2)
                .part(2, false).zero(null, 2048, true).eos().footer(2)
                .part(2, true).zero(null, 3072, true).eos().footer(2)
                .eof().bytes();
        StreamSummary s = readAllWays(b);
        assertThat(s.pageSize()).isEqualTo(1024);
        assertThat(s.ramBlocks().get(0).zeroPages()).isEqualTo(4);
        assertThat(s.sections()).extracting(StreamSummary.SectionInfo::typeName)
                .containsExactly("START", "PART", "PART", "END");
    }

    @Test
    void noConfigurationAndNoTrailer() {
        byte[] b = Synth.start().eof().bytes();
        StreamSummary s = readAllWays(b);
        assertThat(s.configuration()).isNull();
        assertThat(s.eofOffset()).isEqualTo(8);
    }

    @Test
    void aTrailerLargerThanTheFirstWindowIsFoundInFiles() throws Exception {
        byte[] real = Fixtures.stream("qemu-7.2/max");
        Vmdesc v = Codec.summary(real, 0).vmdesc();
        String json = new String(v.raw(), java.nio.charset.StandardCharsets.UTF_8);
        String padded = json.substring(0, json.length() - 1) + ", \"pad\": ["
                + String.join(", ", java.util.Collections.nCopies(20_000, "\"xxxxxxxx\"")) + "]}";
        int at = (int) v.offset();
        byte[] b = new byte[at + 5 + padded.length()];
        System.arraycopy(real, 0, b, 0, at);
        b[at] = WireFormat.VMDESCRIPTION;
        java.nio.ByteBuffer.wrap(b).putInt(at + 1, padded.length());
        System.arraycopy(padded.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0, b, at + 5, padded.length());
        Path f = tmp.resolve("big-trailer.mig");
        Files.write(f, b);
        try (var ch = java.nio.channels.FileChannel.open(f)) {
            Vmdesc found = StreamReader.readTrailer(ch, StreamLimits.defaults()).orElseThrow();
            assertThat(found.raw().length).isEqualTo(padded.length());
        }
        StreamSummary s = StreamReader.summarize(f, ReadOptions.defaults());
        assertThat(s.sections()).filteredOn(i -> i.method() != null)
                .allMatch(i -> i.method() == DeviceSection.WalkMethod.VMDESC);
        assertThat(s.cpus().get(0).cpregCount()).isEqualTo(304);
    }

    @Test
    void limitsDefaultsAreDocumentedValues() {
        StreamLimits d = StreamLimits.defaults();
        assertThat(List.of(d.maxCpregCount(), d.maxNameLength(), d.maxVmdescBytes(), d.maxBufferedDeviceBytes(),
                d.maxSubsectionDepth(), d.maxRamBlocks(), d.maxDeviceSections(), d.maxPackagedBytes()))
                .containsExactly(4096, 255, 16 << 20, 64 << 20, 8, 1024, 65536, 16 << 20);
        StreamLimits c = d.toBuilder().maxCpregCount(10).build();
        assertThat(c.maxCpregCount()).isEqualTo(10);
        assertThat(c.maxNameLength()).isEqualTo(255);
        assertThat(d.maxCpregCount()).isEqualTo(4096);
    }
}
