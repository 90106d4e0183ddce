package dev.regshim.cli;

import dev.regshim.RegshimException;
import dev.regshim.stream.InspectBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code regshim bench}: performance against a baseline measured in the same run. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks against a baseline measured in the same run.",
        subcommands = {BenchCommand.Inspect.class})
public final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = {"Reads FILE into an inspect summary and runs 'cat FILE > /dev/null', alternating, and "
                    + "prints both throughputs, their ratio (inspect/cat) and this process's peak RSS (VmHWM).",
                "Use a stream with hundreds of MB of non-zero pages (scripts/make-big-stream.sh)."})
    static final class Inspect implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Option(names = "--runs", defaultValue = "5", description = "measured runs of each (default: ${DEFAULT-VALUE})")
        int runs;

        @Option(names = "--chunk-kib", hidden = true, defaultValue = "1024")
        int chunkKib;

        @Override
        public Integer call() {
            if (!Files.isRegularFile(file)) {
                throw new RegshimException("cannot read " + file + ": not a regular file");
            }
            PrintWriter out = spec.commandLine().getOut();
            InspectBenchmark.Result r;
            try {
                r = InspectBenchmark.run(file, Math.max(1, runs),
                        dev.regshim.stream.ReadOptions.defaults().withChunkBytes(chunkKib << 10));
            } catch (IOException e) {
                throw new RegshimException("bench failed: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegshimException("interrupted");
            }
            out.printf("file        %s, %,d bytes, %,d data pages%n", file, r.bytes(), r.dataPages());
            out.printf("cat         median %7.1f ms  %8.1f MB/s   runs %s ms%n", r.medianCat() / 1e6, r.catMBps(),
                    ms(r.catNanos()));
            out.printf("inspect     median %7.1f ms  %8.1f MB/s   runs %s ms%n", r.medianInspect() / 1e6,
                    r.inspectMBps(), ms(r.inspectNanos()));
            out.printf("ratio       %.2f of cat's throughput%n", r.ratio());
            out.printf("peak RSS    %,d KiB (VmHWM of this JVM, max heap %,d MiB)%n", r.vmHwmKb(),
                    Runtime.getRuntime().maxMemory() >> 20);
            return Main.EXIT_OK;
        }

        private static String ms(java.util.List<Long> ns) {
            StringBuilder b = new StringBuilder();
            for (long n : ns) {
                b.append(b.length() == 0 ? "" : " ").append(String.format("%.0f", n / 1e6));
            }
            return b.toString();
        }
    }
}
