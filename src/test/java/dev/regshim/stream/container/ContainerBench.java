package dev.regshim.stream.container;

import dev.regshim.testing.LibvirtImages;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.tukaani.xz.XZInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * regshim's container handling against the way libvirt does the same job, the command-line tool.
 *
 * <ul>
 *   <li>{@code extract*}: decompress the QEMU stream of a libvirt image (regshim, in process) vs. {@code <tool> -dc}
 *       on the same compressed bytes (a process, as libvirt's restore runs it);</li>
 *   <li>{@code rewrap*}: regshim's verified re-wrap (decode, re-encode, write, re-read, hash) vs. the shell pipeline
 *       {@code <tool> -dc | <tool> -c > out} (no header handling, no verification).</li>
 * </ul>
 * The stream is a real QEMU 7.2 {@code -M virt -cpu max -m 64 -S} save (501,045 bytes).
 * Run: {@code java -cp target/test-classes:target/classes:<test classpath> org.openjdk.jmh.Main ContainerBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ContainerBench {

    @Param({"gzip", "bzip2", "xz", "zstd"})
    public String format;

    private Path dir;
    private Path image;
    private Path compressedStream;
    private Path out;
    private LibvirtFormat libvirtFormat;

    @Setup
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("regshim-bench-");
        Path raw = dir.resolve("max.mig");
        try (InputStream in = new XZInputStream(ContainerBench.class.getResourceAsStream("virt-max-7.2.mig.xz"))) {
            Files.copy(in, raw);
        }
        libvirtFormat = LibvirtFormat.valueOf(format.toUpperCase(java.util.Locale.ROOT));
        image = LibvirtImages.build(dir.resolve("vm.save"), raw, libvirtFormat);
        compressedStream = Files.write(dir.resolve("max.mig.c"), new byte[0]);
        LibvirtImages.appendCompressed(raw, libvirtFormat, compressedStream);
        out = dir.resolve("out");
    }

    @TearDown
    public void tearDown() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    @Benchmark
    public long extractRegshim() throws IOException {
        try (InputStream in = SaveImage.open(image).openStream()) {
            return in.transferTo(OutputStream.nullOutputStream());
        }
    }

    @Benchmark
    public int extractTool() throws Exception {
        Process p = new ProcessBuilder(format, "-dc").redirectInput(compressedStream.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor();
    }

    @Benchmark
    public long rewrapRegshim() throws IOException {
        SaveImage img = SaveImage.open(image);
        try (InputStream in = img.openStream()) {
            return SaveImageWriter.rewrap(img, in, out).fileBytes();
        }
    }

    @Benchmark
    public int rewrapTool() throws Exception {
        String compress = String.join(" ", LibvirtImages.compressCommand(libvirtFormat));
        Process p = new ProcessBuilder(List.of("sh", "-c", format + " -dc | " + compress))
                .redirectInput(compressedStream.toFile()).redirectOutput(out.toFile()).start();
        return p.waitFor();
    }
}
