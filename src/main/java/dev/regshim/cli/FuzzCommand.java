package dev.regshim.cli;

import dev.regshim.RegshimException;
import dev.regshim.fuzz.MutationFuzzer;
import dev.regshim.fuzz.StreamShrinker;
import dev.regshim.stream.StreamLimits;
import org.tukaani.xz.XZInputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code regshim fuzz}: seeded mutation fuzzing of the stream reader over real streams. */
@Command(name = "fuzz", mixinStandardHelpOptions = true,
        description = {"Mutation-fuzz the migration stream reader with real streams as the corpus (.mig or .mig.xz).",
            "A case passes when the mutated stream is either accepted and re-encoded byte for byte, or rejected with "
                + "a one-line error naming the offset. Exit 1 if any case fails; each failure prints its case seed."})
public final class FuzzCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "STREAM", description = "corpus streams (.mig or .mig.xz)")
    List<Path> inputs;

    @Option(names = "--cases", description = "number of cases (default: ${DEFAULT-VALUE})", defaultValue = "100000")
    long cases;

    @Option(names = "--seed", description = "run seed (default: random, printed)")
    Long seed;

    @Option(names = "--full-size", description = "fuzz the streams as given instead of with most zero pages dropped "
            + "(slower, same structure)")
    boolean fullSize;

    @Option(names = "--case", description = "replay one case by its case seed")
    Long replay;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<MutationFuzzer.Input> corpus = new ArrayList<>();
        for (Path p : inputs) {
            byte[] b = load(p);
            corpus.add(new MutationFuzzer.Input(p.getFileName().toString(),
                    fullSize ? b : StreamShrinker.dropZeroPages(b, 4)));
        }
        MutationFuzzer f = new MutationFuzzer(corpus, StreamLimits.defaults());
        if (replay != null) {
            Object r = f.runCase(replay);
            out.println("case " + replay + ": " + (r instanceof MutationFuzzer.Failure ? r
                    : Boolean.TRUE.equals(r) ? "accepted" : "rejected cleanly"));
            return r instanceof MutationFuzzer.Failure ? Main.EXIT_DIFFERENT : Main.EXIT_OK;
        }
        long s = seed != null ? seed : System.nanoTime();
        out.printf("fuzz: seed %d, %,d cases, %d corpus streams%n", s, cases, corpus.size());
        out.flush();
        long t0 = System.nanoTime();
        MutationFuzzer.Report r = f.run(s, cases, n -> {
            if ((n & 0xffff) == 0) {
                err.printf("fuzz: %,d cases%n", n);
                err.flush();
            }
        });
        double secs = (System.nanoTime() - t0) / 1e9;
        out.printf("fuzz: %,d cases in %.1f s: %,d accepted, %,d rejected cleanly, %d failures%n", r.cases(), secs,
                r.accepted(), r.rejected(), r.failures().size());
        for (MutationFuzzer.Failure x : r.failures()) {
            out.println("FAIL " + x + "   (replay: regshim fuzz --case " + x.caseSeed() + " ...)");
        }
        return r.ok() ? Main.EXIT_OK : Main.EXIT_DIFFERENT;
    }

    private static byte[] load(Path p) {
        try (InputStream raw = Files.newInputStream(p)) {
            InputStream in = p.toString().endsWith(".xz") ? new XZInputStream(raw) : raw;
            return in.readAllBytes();
        } catch (IOException e) {
            throw new RegshimException("cannot read " + p + ": " + dev.regshim.util.SafeFiles.reason(e));
        }
    }
}
