package dev.regshim.stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Files are read through mapped windows: a stream several windows long (page records and chunk views cut by the
 * window boundaries) reads as it does from a pipe, and an identity transform of the file writes it back unchanged.
 */
class MappedReadTest {

    private static final int MIB = 40; // more than two windows
    private static byte[] stream;

    @TempDir
    static Path tmp;
    private static Path file;

    @BeforeAll
    static void makeStream() throws IOException {
        stream = BenchStreams.nonZeroPages(MIB);
        file = tmp.resolve("big.mig");
        Files.write(file, stream);
        assertThat((long) stream.length).isGreaterThan(2 * MappedWindows.WINDOW_BYTES);
    }

    @Test
    void aFileReadsAsThePipeDoes() throws IOException {
        String pipe = Describe.summary(StreamReader.summarize(new ByteArrayInputStream(stream), ReadOptions.defaults()),
                false);
        for (int chunk : new int[]{ReadOptions.DEFAULT_CHUNK_BYTES, 4099, Integer.MAX_VALUE}) {
            List<Long> progress = new ArrayList<>();
            ReadOptions o = ReadOptions.defaults().withChunkBytes(chunk).withProgress(progress::add);
            assertThat(Describe.summary(StreamReader.summarize(file, o), false)).as("chunk %d", chunk).isEqualTo(pipe);
            assertThat(progress).isSorted().last().isEqualTo((long) stream.length);
        }
    }

    @Test
    void anIdentityTransformOfTheFileWritesItBack() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(stream.length);
        TransformResult r = StreamTransformer.of(StreamTransformer.identity()).transform(file, out);
        assertThat(r.bytesIn()).isEqualTo(stream.length);
        assertThat(r.dataPages()).isEqualTo(MIB * 256L);
        assertThat(out.toByteArray()).isEqualTo(stream);
    }
}
