package dev.regshim.stream.bench;

import dev.regshim.stream.BenchStreams;
import dev.regshim.stream.StreamDecoder;
import dev.regshim.stream.StreamSummary;
import dev.regshim.stream.StreamVisitor;
import dev.regshim.stream.StreamWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * JMH benchmark of the stream decoder on an in-memory stream of 64 MiB of non-zero pages, fed in 1 MiB direct
 * chunks as the file reader does. {@code copyBaseline} is the floor measured in the same run: copying the same bytes
 * into the direct chunk buffer without decoding. Compare the scores (ops/s; one op = the whole stream).
 * <p>
 * Run: see README section "inspect" (mvn test-compile + java -cp ... org.openjdk.jmh.Main DecoderBench).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DecoderBench {

    @Param({"64"})
    int mib;

    private byte[] stream;
    private ByteBuffer chunk;

    @Setup(Level.Trial)
    public void setup() {
        stream = BenchStreams.nonZeroPages(mib);
        chunk = ByteBuffer.allocateDirect(1 << 20);
    }

    @Benchmark
    public long copyBaseline() {
        long n = 0;
        for (int off = 0; off < stream.length; off += chunk.capacity()) {
            chunk.clear();
            int len = Math.min(chunk.capacity(), stream.length - off);
            chunk.put(stream, off, len).flip();
            n += chunk.get(0);
        }
        return n;
    }

    @Benchmark
    public StreamSummary decodeSummary() {
        StreamSummary.Collector c = new StreamSummary.Collector();
        feed(c);
        return c.summary();
    }

    @Benchmark
    public long decodeAndWrite() {
        Counting out = new Counting();
        StreamWriter w = new StreamWriter(out);
        feed(w);
        return out.n;
    }

    private void feed(StreamVisitor v) {
        StreamDecoder d = StreamDecoder.builder(v).build();
        for (int off = 0; off < stream.length; off += chunk.capacity()) {
            chunk.clear();
            int len = Math.min(chunk.capacity(), stream.length - off);
            chunk.put(stream, off, len).flip();
            d.feed(chunk);
        }
        d.finish();
    }

    /** An output that only counts. */
    static final class Counting extends OutputStream {
        long n;

        @Override
        public void write(int b) {
            n++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            n += len;
        }
    }
}
