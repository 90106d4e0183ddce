package dev.regshim.cli;

import dev.regshim.RegshimException;
import dev.regshim.fuzz.FuzzHarness;
import dev.regshim.fuzz.FuzzKind;
import dev.regshim.fuzz.FuzzKinds;
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
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code regshim fuzz}: seeded mutation fuzzing of the stream reader over real streams. */
@Command(name = "fuzz", mixinStandardHelpOptions = true,
        description = {"Mutation-fuzz the migration stream reader with real streams as the corpus (.mig or .mig.xz).",
            "A case passes when the mutated stream is either accepted and re-encoded byte for byte, or rejected with "
                + "a one-line error naming the offset. Exit 1 if any case fails; each failure prints its case seed.",
            "With --kind, fuzz every reader of untrusted input instead (kinds: "
                + "stream, gzip, bzip2, xz, zstd, lzop, libvirt, profile, reglist, fleet, qemu-log, or all), corpora "
                + "made from the given streams, each case calling the reader its command calls (--cli: running the "
                + "whole command line, several times slower); a case passes when it exits 0, 1 or 2 within 5 s with "
                + "at most one safe error line, naming the file."})
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

    @Option(names = "--kind", paramLabel = "KIND", description = "fuzz this input kind (or 'all')")
    String kind;

    @Option(names = "--cli", description = "with --kind: run each case through the whole CLI (argument parsing, "
            + "output, exit code) instead of calling the command's reader directly")
    boolean viaCli;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<MutationFuzzer.Input> corpus = new ArrayList<>();
        for (Path p : inputs) {
            byte[] b = load(p);
            corpus.add(new MutationFuzzer.Input(p.getFileName().toString(),
                    fullSize ? b : kind != null ? StreamShrinker.dropPages(b, 4, 1) : StreamShrinker.dropZeroPages(b, 4)));
        }
        if (kind != null) {
            return runKinds(corpus, out, err);
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

    private int runKinds(List<MutationFuzzer.Input> corpus, PrintWriter out, PrintWriter err) {
        Path scratch;
        try {
            scratch = FuzzHarness.scratchDirectory();
        } catch (IOException e) {
            throw new RegshimException("cannot create a scratch directory: " + e.getMessage());
        }
        try {
            CliFuzzTarget target = new CliFuzzTarget();
            Map<String, FuzzKind> kinds = FuzzKinds.standard(corpus.stream().map(MutationFuzzer.Input::bytes).toList(),
                    target, scratch, List.of());
            List<FuzzKind> chosen = new ArrayList<>();
            if (kind.equals("all")) {
                chosen.addAll(kinds.values());
            } else if (kinds.containsKey(kind)) {
                chosen.add(kinds.get(kind));
            } else {
                throw new RegshimException("unknown --kind '" + kind + "'; choose " + String.join(", ", kinds.keySet())
                        + " or all");
            }
            FuzzHarness h = new FuzzHarness(viaCli ? target : new DirectFuzzTarget(), scratch);
            if (replay != null) {
                FuzzKind k = chosen.get(0);
                FuzzHarness.CaseResult r = h.runCase(k, replay);
                Path kept = Path.of("regshim-fuzz-" + k.name() + "-" + Long.toUnsignedString(replay) + k.suffix());
                try {
                    Files.copy(scratch.resolve("case" + k.suffix()), kept, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw new RegshimException("cannot keep the case's input as " + kept + ": " + e.getMessage());
                }
                out.println(k.name() + " case " + replay + ": " + dev.regshim.util.Text.escape(r.failure() != null
                        ? r.failure().problem() : "exit " + r.exit() + " (" + r.millis() + " ms)") + "; input kept as "
                        + kept + ": run regshim " + String.join(" ", k.command(kept)));
                return r.failure() != null ? Main.EXIT_DIFFERENT : Main.EXIT_OK;
            }
            long s = seed != null ? seed : System.nanoTime();
            boolean failed = false;
            for (FuzzKind k : chosen) {
                out.printf("fuzz %s: seed %d, %,d cases, %s%n", k.name(), s, cases, viaCli
                        || !DirectFuzzTarget.isDirect(k.command(scratch.resolve("case" + k.suffix())))
                        ? "through the CLI" : "calling the reader directly");
                out.flush();
                long t0 = System.nanoTime();
                FuzzHarness.Report r = h.run(k, s, cases, n -> {
                    if ((n & 0xffff) == 0) {
                        err.printf("fuzz %s: %,d cases%n", k.name(), n);
                        err.flush();
                    }
                });
                out.printf(java.util.Locale.ROOT, "fuzz %s: %,d cases in %.1f s: exit 0 %,d, exit 1 %,d, exit 2 %,d, "
                        + "%,d failures; slowest case %d ms, most allocated %.1f MiB; %,.0f cases per CPU second%n",
                        k.name(), r.cases(), (System.nanoTime() - t0) / 1e9, r.exit0(), r.exit1(), r.exit2(), r.failed(),
                        r.maxCaseMillis(), r.maxCaseAllocation() / (double) (1 << 20), r.casesPerCpuSecond());
                for (FuzzHarness.Failure x : r.failures()) {
                    out.println("FAIL " + dev.regshim.util.Text.escape(x.toString()) + "   (replay: regshim fuzz --kind "
                            + k.name() + (viaCli ? " --cli" : "") + " --case " + x.caseSeed() + " ...)");
                }
                out.flush();
                failed |= !r.ok();
            }
            return failed ? Main.EXIT_DIFFERENT : Main.EXIT_OK;
        } finally {
            deleteTree(scratch);
        }
    }

    private static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a scratch directory under the system's temporary directory
        }
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
