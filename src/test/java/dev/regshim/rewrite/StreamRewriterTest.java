package dev.regshim.rewrite;

import dev.regshim.RegshimException;
import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.LoadSettings;
import dev.regshim.cpreg.Semantics;
import dev.regshim.policy.Policy;
import dev.regshim.policy.RewriteOptions;
import dev.regshim.profile.source.ProfileSources;
import dev.regshim.stream.Fixtures;
import dev.regshim.stream.ReadOptions;
import dev.regshim.stream.StreamEnds;
import dev.regshim.stream.StreamReader;
import dev.regshim.stream.StreamSummary;
import dev.regshim.stream.StreamTransformer;
import dev.regshim.stream.container.LibvirtFormat;
import dev.regshim.stream.container.SaveImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The offline rewriter on real 7.2 fixtures, without running QEMU: both ways of writing, verification, refusals. */
class StreamRewriterTest {

    @TempDir
    Path tmp;

    Path fixture(String name) throws IOException {
        Path p = tmp.resolve(name.replace('/', '_') + ".mig");
        if (!Files.exists(p)) {
            Files.write(p, Fixtures.stream(name));
        }
        return p;
    }

    static RewriteOptions to(Path destination, Policy policy) {
        return RewriteOptionsFor.stream(destination, policy);
    }

    @ParameterizedTest(name = "{0} -> {1} ({2})")
    @CsvSource({
        "qemu-7.2/gen-max_nopauth, qemu-7.2/gen-max, strict",
        "qemu-7.2/gen-max_nosve, qemu-7.2/gen-max, strict",
        "qemu-7.2/gen-max, qemu-7.2/gen-max_nopauth, force",
        "qemu-7.2/gen-max_el2, qemu-7.2/gen-max, force",
        "qemu-7.2/gen-a57, qemu-7.2/gen-a53, force",
        "qemu-7.2/gen-a57_smp2, qemu-7.2/gen-max_smp2, force",
    })
    void spliceAndStreamWriteTheSameBytes(String from, String toName, String policy) throws IOException {
        Path in = fixture(from);
        RewriteOptions o = to(fixture(toName), Policy.parse(policy));

        StreamRewriter.Result spliced = StreamRewriter.rewrite(in, tmp.resolve("spliced.mig"), o);
        assertThat(spliced.written()).as(spliced.refusal()).isTrue();
        assertThat(spliced.method()).isEqualTo(StreamRewriter.Method.SPLICE);

        // without the trailer read ahead the first read is a full read and the output goes through the transformer
        StreamRewriter.Result streamed = StreamRewriter.rewrite(in, tmp.resolve("streamed.mig"), o,
                Verification.DECODE, ReadOptions.defaults().withIgnoreVmdesc(true));
        assertThat(streamed.method()).isEqualTo(StreamRewriter.Method.STREAM);

        StreamRewriter.Result bytes = StreamRewriter.rewrite(in, tmp.resolve("bytes.mig"), o, Verification.BYTES);
        assertThat(bytes.checks()).anyMatch(c -> c.contains("compared byte for byte"));

        byte[] a = Files.readAllBytes(tmp.resolve("spliced.mig"));
        assertThat(a).isEqualTo(Files.readAllBytes(tmp.resolve("streamed.mig")))
                .isEqualTo(Files.readAllBytes(tmp.resolve("bytes.mig")));
        // and the same as the stream transformer's own output for the same plan
        ByteArrayOutputStream direct = new ByteArrayOutputStream();
        StreamTransformer.of(cpu -> spliced.plan().replacement(cpu.instanceId())).transform(in, direct);
        assertThat(a).isEqualTo(direct.toByteArray());
        assertThat(a).isNotEqualTo(Files.readAllBytes(in));
        assertThat(spliced.plan().lossyChanges().isEmpty()).isEqualTo(policy.equals("strict"));
    }

    /**
     * A splice whose copy is held after its first step until the device state is checked: the tail goes in at once,
     * the device state is read back and checked while the RAM is still being copied, and the RAM is decoded as the
     * copy goes on; the bytes are the same as a whole rewrite's, the progress reaches the end, and a copy that fails
     * is reported as such.
     */
    @Test
    void aSpliceChecksTheDeviceStateWhileTheCopyRuns() throws Exception {
        Path in = tmp.resolve("big.mig");
        Files.write(in, dev.regshim.stream.BenchStreams.nonZeroPages(64)); // the RAM size of the destination
        RewriteOptions o = to(fixture("qemu-7.2/gen-max_nopauth"), Policy.FORCE);
        RewriteInput input = RewriteInput.read(in, ReadOptions.defaults());
        assertThat(input.endsOnly()).isTrue();
        StreamRewriter.Result whole = StreamRewriter.rewrite(in, tmp.resolve("ref.mig"), o);
        assertThat(whole.written()).as(whole.refusal()).isTrue();
        dev.regshim.policy.RewritePlan plan = whole.plan();
        ExpectedOutput exp = ExpectedOutput.of(input, plan, ReadOptions.defaults().limits());

        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        Path out = Files.createFile(tmp.resolve("spliced.mig"));
        long[] reported = {0};
        long[] copiedWhenChecked = {-1};
        ReadOptions withProgress = ReadOptions.defaults().withProgress(n -> reported[0] = n);
        java.util.concurrent.atomic.AtomicLong copied = new java.util.concurrent.atomic.AtomicLong();
        OutputVerifier.Reread back;
        try (SpliceWriter.Splice splice = SpliceWriter.begin(in, out, pos -> {
            copied.set(pos);
            await(go);
        })) {
            splice.attach(input, Verification.DECODE, withProgress);
            back = splice.finish(exp.encodeTail(), early -> {
                // the copy reports its first step just after the progress it hands over: let it say where it is
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (copied.get() == 0 && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                copiedWhenChecked[0] = copied.get();
                go.countDown();
                return OutputVerifier.checkDeviceState(out, early, exp, plan, o);
            });
        }
        assertThat(copiedWhenChecked[0]).isPositive().isLessThan(input.deviceStart());
        assertThat(back.deviceState()).isNotNull();
        assertThat(OutputVerifier.check(out, input, back, exp, plan, o))
                .anyMatch(c -> c.startsWith("re-read the output in full"))
                .anyMatch(c -> c.startsWith("model: the destination"));
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(tmp.resolve("ref.mig")));
        assertThat(reported[0]).isEqualTo(Files.size(out));

        // the input is cut short after the copy's first step: finish reports the copy's failure
        Path cut = tmp.resolve("cut.mig");
        Files.copy(in, cut);
        Path out2 = Files.createFile(tmp.resolve("spliced2.mig"));
        java.util.concurrent.CountDownLatch go2 = new java.util.concurrent.CountDownLatch(1);
        try (SpliceWriter.Splice splice = SpliceWriter.begin(cut, out2, pos -> await(go2))) {
            splice.attach(input, Verification.DECODE, ReadOptions.defaults());
            try (FileChannel ch = FileChannel.open(cut, StandardOpenOption.WRITE)) {
                ch.truncate(input.deviceStart() / 2);
            }
            go2.countDown();
            assertThatThrownBy(() -> splice.finish(exp.encodeTail(),
                    early -> OutputVerifier.checkDeviceState(out2, early, exp, plan, o)))
                    .isInstanceOf(IOException.class).hasMessageContaining("cut.mig ends at");
        }
    }

    /**
     * A small input copied past its device state before the plan is known (the copy reached the end while the input
     * was read): the planned tail, shorter than the input's, goes in at the device state's start and nothing of the
     * input's own device state or trailer is left behind it.
     */
    @Test
    void aSpliceWhoseCopyRanPastTheDeviceStateLeavesNothingBehindTheTail() throws Exception {
        Path in = fixture("qemu-7.2/gen-max");
        RewriteOptions o = to(fixture("qemu-7.2/gen-max_nopauth"), Policy.FORCE);
        StreamRewriter.Result whole = StreamRewriter.rewrite(in, tmp.resolve("ref.mig"), o);
        assertThat(whole.written()).as(whole.refusal()).isTrue();
        RewriteInput input = RewriteInput.read(in, ReadOptions.defaults());
        ExpectedOutput exp = ExpectedOutput.of(input, whole.plan(), ReadOptions.defaults().limits());
        assertThat(exp.deviceStart() + exp.encodeTail().length).as("the planned tail is the shorter")
                .isLessThan(Files.size(in));

        Path out = Files.createFile(tmp.resolve("past.mig"));
        java.util.concurrent.CountDownLatch copiedAll = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch attached = new java.util.concurrent.CountDownLatch(1);
        long size = Files.size(in);
        OutputVerifier.Reread back;
        try (SpliceWriter.Splice splice = SpliceWriter.begin(in, out, pos -> {
            if (pos == size) {
                copiedAll.countDown();
                await(attached); // the device state's start becomes known before the copy's next claim
            }
        })) {
            await(copiedAll);
            splice.attach(input, Verification.DECODE, ReadOptions.defaults());
            attached.countDown();
            Thread.sleep(50); // let the copy claim its (empty) next step before the tail is written
            back = splice.finish(exp.encodeTail(),
                    early -> OutputVerifier.checkDeviceState(out, early, exp, whole.plan(), o));
        }
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(tmp.resolve("ref.mig")));
        assertThat(OutputVerifier.check(out, input, back, exp, whole.plan(), o))
                .anyMatch(c -> c.startsWith("model: the destination"));
    }

    /** Holds the copy; never for ever: a splice that does not check early then fails the assertions, not hangs. */
    private static void await(java.util.concurrent.CountDownLatch l) {
        try {
            l.await(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void streamEndsFindTheSameDeviceStateAsAFullRead() throws IOException {
        for (Fixtures.Fixture f : Fixtures.all()) {
            Path p = Fixtures.toFile(tmp, f);
            StreamSummary full = StreamReader.summarize(p, ReadOptions.defaults());
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                Optional<StreamEnds.Ends> ends = StreamEnds.read(ch, ReadOptions.defaults().limits());
                assertThat(ends).as(f.name()).isPresent();
                StreamEnds.Ends e = ends.get();
                List<StreamSummary.SectionInfo> fullDevices = full.sections().stream()
                        .filter(s -> s.method() != null).toList();
                assertThat(e.deviceStart()).as(f.name()).isEqualTo(fullDevices.get(0).offset());
                assertThat(e.summary().sections().subList(1, e.summary().sections().size())).as(f.name())
                        .isEqualTo(fullDevices);
                assertThat(e.summary().sections().get(0)).isEqualTo(full.sections().get(0));
                assertThat(e.eofOffset()).isEqualTo(full.eofOffset());
                assertThat(e.configuration().machineType()).isEqualTo(full.configuration().machineType());
                assertThat(e.pageSize()).isEqualTo(full.pageSize());
                assertThat(e.cpus()).hasSameSizeAs(full.cpus());
                for (int i = 0; i < e.cpus().size(); i++) {
                    assertThat(e.cpus().get(i).sameContent(full.cpus().get(i))).isTrue();
                }
            }
        }
    }

    @Test
    void streamEndsDeclineWhatTheyCannotConfirm() throws IOException {
        byte[] max = Fixtures.stream("qemu-7.2/gen-max");
        StreamSummary s = StreamReader.summarize(fixture("qemu-7.2/gen-max"), ReadOptions.defaults());
        // no trailer: cut right after EOF
        Path noTrailer = tmp.resolve("no-trailer.mig");
        Files.write(noTrailer, Arrays.copyOf(max, (int) s.eofOffset() + 1));
        // a trailer that describes one device section byte too long
        byte[] json = s.vmdesc().raw();
        String text = new String(json, java.nio.charset.StandardCharsets.ISO_8859_1);
        String grown = text.replaceFirst("\"size\": 8}", "\"size\": 9}");
        assertThat(grown).isNotEqualTo(text);
        Path stale = tmp.resolve("stale.mig");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(max, 0, (int) s.eofOffset() + 1);
        b.write(6);
        byte[] g = grown.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        b.write(new byte[]{(byte) (g.length >>> 24), (byte) (g.length >>> 16), (byte) (g.length >>> 8), (byte) g.length});
        b.write(g);
        Files.write(stale, b.toByteArray());
        for (Path p : List.of(noTrailer, stale)) {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                assertThat(StreamEnds.read(ch, ReadOptions.defaults().limits())).as(p.toString()).isEmpty();
            }
        }
        // the rewriter then reads the whole stream (the trailer-less one is fine without it)
        StreamRewriter.Result r = StreamRewriter.rewrite(noTrailer, tmp.resolve("out.mig"),
                to(fixture("qemu-7.2/gen-max_nosve"), Policy.FORCE));
        assertThat(r.method()).isEqualTo(StreamRewriter.Method.STREAM);
    }

    @Test
    void containersAreRewrittenInTheirOwnFormat() throws IOException {
        Path in = fixture("qemu-7.2/gen-max_nopauth");
        Path xz = tmp.resolve("in.mig.xz");
        try (OutputStream o = new XZOutputStream(Files.newOutputStream(xz), new LZMA2Options(3))) {
            o.write(Files.readAllBytes(in));
        }
        RewriteOptions o = to(fixture("qemu-7.2/gen-max"), Policy.STRICT);
        StreamRewriter.Result bare = StreamRewriter.rewrite(in, tmp.resolve("bare.mig"), o);
        StreamRewriter.Result r = StreamRewriter.rewrite(xz, tmp.resolve("out.mig.xz"), o);
        assertThat(r.method()).isEqualTo(StreamRewriter.Method.STREAM);
        assertThat(r.checks()).anyMatch(c -> c.contains("same CRC-32C and CRC-32"));
        SaveImage back = SaveImage.open(tmp.resolve("out.mig.xz"));
        assertThat(back.kind()).isEqualTo(SaveImage.Kind.COMPRESSED_STREAM);
        try (var s = back.openStream()) {
            assertThat(s.readAllBytes()).isEqualTo(Files.readAllBytes(tmp.resolve("bare.mig")));
        }
        assertThat(bare.written()).isTrue();
    }

    @Test
    void aRefusalWritesNothing() throws IOException {
        Path out = tmp.resolve("out.mig");
        StreamRewriter.Result r = StreamRewriter.rewrite(fixture("qemu-7.2/gen-max"), out,
                to(fixture("qemu-7.2/gen-max_nopauth"), Policy.STRICT));
        assertThat(r.written()).isFalse();
        assertThat(r.method()).isNull();
        assertThat(r.refusal()).contains("ID_AA64ISAR1_EL1").contains("APA 1→0").contains("GPA 1→0");
        assertThat(out).doesNotExist();
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("regshim-tmp"));
        }
    }

    /** Damages a correct output and runs the verification of each way of writing over it. */
    @Test
    void verificationFindsDamage() throws IOException {
        Path in = fixture("qemu-7.2/gen-max_nopauth");
        RewriteOptions o = to(fixture("qemu-7.2/gen-max"), Policy.STRICT);
        Path good = tmp.resolve("good.mig");
        StreamRewriter.Result r = StreamRewriter.rewrite(in, good, o);
        RewriteInput input = RewriteInput.read(in, ReadOptions.defaults());
        ExpectedOutput exp = ExpectedOutput.of(input, r.plan(), ReadOptions.defaults().limits());
        byte[] ok = Files.readAllBytes(good);
        StreamSummary s = StreamReader.summarize(good, ReadOptions.defaults());
        long ramPage = lastPageData(good);
        long pl011 = s.sections().stream().filter(x -> "pl011".equals(x.idstr())).findFirst().orElseThrow().offset();
        long cpu = s.cpus().get(0).cpregArrayOffset();

        assertThat(spliceCheck(in, flip(ok, 20, "head"), input, exp, r, o, Verification.DECODE))
                .contains("byte 20 differs");
        assertThat(spliceCheck(in, flip(ok, ramPage, "page"), input, exp, r, o, Verification.BYTES))
                .contains("byte " + ramPage + " differs");
        assertThat(spliceCheck(in, flip(ok, pl011 + 30, "pl011"), input, exp, r, o, Verification.DECODE))
                .contains("pl011");
        // the last value of the array: a register the rewrite kept
        long lastValue = cpu + 4 + 16L * s.cpus().get(0).cpregCount() - 1;
        assertThat(spliceCheck(in, flip(ok, lastValue, "value"), input, exp, r, o, Verification.DECODE))
                .contains("planned cpreg arrays");
        assertThat(spliceCheck(in, flip(ok, ok.length - 3, "vmdesc"), input, exp, r, o, Verification.DECODE))
                .containsAnyOf("vmdesc", "trailer");
        // the RAM section's footer just before the device state (its section id)
        assertThat(spliceCheck(in, flip(ok, exp.deviceStart() - 1, "ram-footer"), input, exp, r, o,
                Verification.DECODE)).containsAnyOf("footer", "RAM");

        // bytes left behind the trailer (a longer input's own tail, say)
        Path longer = tmp.resolve("damaged-longer.mig");
        Files.write(longer, java.util.Arrays.copyOf(ok, ok.length + 100));
        assertThat(spliceCheck(in, longer, input, exp, r, o, Verification.DECODE))
                .contains("100 bytes of junk after the vmdesc trailer").contains("100 bytes follow the stream's end");

        // an intact output: both ways of re-reading it report the same stream
        OutputVerifier.Reread whole = SpliceWriter.reread(in, good, input, Verification.DECODE, ReadOptions.defaults());
        OutputVerifier.Reread endsFirst = SpliceWriter.rereadWithEnds(in, good, input, Verification.DECODE,
                ReadOptions.defaults(), ok.length, early -> OutputVerifier.checkDeviceState(good, early, exp, r.plan(), o));
        assertThat(endsFirst.deviceState()).isNotNull();
        assertThat(endsFirst.output().summary().sections()).isEqualTo(whole.output().summary().sections());
        assertThat(endsFirst.output().summary().totalBytes()).isEqualTo(whole.output().summary().totalBytes());
        assertThat(endsFirst.output().summary().zeroPages()).isEqualTo(whole.output().summary().zeroPages());
        assertThat(endsFirst.output().summary().dataPages()).isEqualTo(whole.output().summary().dataPages());
        assertThat(endsFirst.output().summary().eofOffset()).isEqualTo(whole.output().summary().eofOffset());
        assertThat(endsFirst.output().deviceStart()).isEqualTo(whole.output().deviceStart());
        assertThat(OutputVerifier.check(good, input, endsFirst, exp, r.plan(), o))
                .isEqualTo(OutputVerifier.check(good, input, whole, exp, r.plan(), o));

        // the transformer's way: a damaged RAM page changes the digest
        Path damaged = flip(ok, ramPage, "page-stream");
        PrefixDigest.Digest inputPrefix = digest(in, exp.deviceStart());
        assertThatThrownBy(() -> OutputVerifier.verify(damaged, input, inputPrefix, exp, r.plan(), o,
                ReadOptions.defaults())).hasMessageContaining("differ from the input's").hasMessageContaining("CRC-32C");
        assertThat(OutputVerifier.verify(good, input, inputPrefix, exp, r.plan(), o, ReadOptions.defaults()))
                .anyMatch(c -> c.contains("same CRC-32C"));
    }

    private static PrefixDigest.Digest digest(Path file, long limit) throws IOException {
        try (PrefixDigest d = new PrefixDigest(FileChannel.open(file, StandardOpenOption.READ), limit)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(1 << 16);
            while (d.read(buf.clear()) >= 0) {
                // digest as it passes
            }
            return d.digest();
        }
    }

    @Test
    void streamEndsNeverThrowOnDamagedFiles() throws IOException {
        byte[] max = Fixtures.stream("qemu-7.2/gen-max");
        java.util.Random rnd = new java.util.Random(20261125);
        Path p = tmp.resolve("mutant.mig");
        int found = 0;
        for (int i = 0; i < 400; i++) {
            byte[] b = max.clone();
            int flips = 1 + rnd.nextInt(4);
            for (int f = 0; f < flips; f++) {
                // mostly the device state and trailer, sometimes the head
                int at = rnd.nextBoolean() ? b.length - 1 - rnd.nextInt(40_000) : rnd.nextInt(400);
                b[at] = (byte) rnd.nextInt(256);
            }
            if (rnd.nextInt(8) == 0) {
                b = Arrays.copyOf(b, b.length - 1 - rnd.nextInt(30_000));
            }
            Files.write(p, b);
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                if (StreamEnds.read(ch, ReadOptions.defaults().limits()).isPresent()) {
                    found++;
                }
            }
        }
        // bytes inside field data change nothing the ends check; the others are declined, never thrown
        assertThat(found).isBetween(1, 399);
    }

    private String spliceCheck(Path in, Path written, RewriteInput input, ExpectedOutput exp, StreamRewriter.Result r,
                               RewriteOptions o, Verification v) {
        String whole;
        try {
            OutputVerifier.Reread back = SpliceWriter.reread(in, written, input, v, ReadOptions.defaults());
            OutputVerifier.check(written, input, back, exp, r.plan(), o);
            throw new AssertionError("verification accepted damaged " + written);
        } catch (RegshimException | IOException e) {
            whole = e.getMessage();
        }
        // as a splice verifies while it writes: the device state read back from the end and checked first, then
        // the RAM decoded up to it
        try {
            // where the splice would have written the end; never past a damaged file's own end (unmapped there)
            long end = Math.min(Files.size(written), exp.deviceStart() + exp.encodeTail().length);
            OutputVerifier.Reread back = SpliceWriter.rereadWithEnds(in, written, input, v, ReadOptions.defaults(),
                    end, early -> OutputVerifier.checkDeviceState(written, early, exp, r.plan(), o));
            OutputVerifier.check(written, input, back, exp, r.plan(), o);
            throw new AssertionError("verification (device state first) accepted damaged " + written);
        } catch (RegshimException | IOException e) {
            return whole + " | " + e.getMessage();
        }
    }

    private Path flip(byte[] ok, long at, String name) throws IOException {
        byte[] b = ok.clone();
        b[(int) at] ^= 0x40;
        Path p = tmp.resolve("damaged-" + name + ".mig");
        Files.write(p, b);
        return p;
    }

    /** The offset of the middle byte of the last RAM PAGE record's data. */
    private static long lastPageData(Path stream) throws IOException {
        long[] at = {-1};
        StreamReader.read(stream, new dev.regshim.stream.StreamVisitor() {
            @Override
            public void ramRecord(dev.regshim.stream.RamRecord rec) {
                if (rec.isPage()) {
                    at[0] = rec.offset() + rec.encodedHeaderLength() + 2048;
                }
            }
        }, ReadOptions.defaults());
        assertThat(at[0]).isPositive();
        return at[0];
    }
}
