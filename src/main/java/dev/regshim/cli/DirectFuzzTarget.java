package dev.regshim.cli;

import dev.regshim.ExitCode;
import dev.regshim.explain.Explainer;
import dev.regshim.fuzz.FuzzTarget;
import dev.regshim.plan.FleetPlan;
import dev.regshim.profile.Profile;
import dev.regshim.profile.source.ProfileSources;
import dev.regshim.stream.ReadOptions;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The fast fuzz target: a case's command line is answered by calling the reader that command calls (the same static
 * entry points, not a copy of their logic) and classifying what it throws by the CLI's own rule
 * ({@link Main#reportFailure}): a domain error is its one line and exit code, anything else an internal error. It skips
 * what only the CLI adds (argument parsing, printing the answer, the output checks), which is why it runs several
 * times faster; {@link CliFuzzTarget} covers those on a smaller sample. A command line it has no reader for goes
 * through the CLI.
 */
public final class DirectFuzzTarget implements FuzzTarget {

    /** A command's reader: what it returns is the exit code and anything it prints from the input (names, text). */
    private record Reader(int argsBeforeFile, Function<String, Answer> read) {
    }

    private record Answer(int exit, String out) {
    }

    private static final Map<String, Reader> READERS = Map.of(
            "inspect", new Reader(1, file -> {
                InspectCommand.container(file);
                InspectCommand.summarize(file, size -> ReadOptions.defaults());
                return new Answer(ExitCode.OK, "");
            }),
            "profile show", new Reader(2, file -> {
                Profile p = ProfileSources.resolve(StdinInput.path(file));
                return new Answer(ExitCode.OK, ProfileCommand.describe(p) + "\n");
            }),
            "regs parse -f", new Reader(3, file -> {
                RegsCommand.Parse.readFile(file, true);
                return new Answer(ExitCode.OK, "");
            }),
            "plan --fleet", new Reader(2, file -> {
                FleetPlan p = PlanCommand.planFleetFile(file);
                return new Answer(p.accepted() ? ExitCode.OK : ExitCode.DIFFERENT, "");
            }),
            "explain", new Reader(1, file -> new Answer(Explainer.explain(ExplainCommand.read(file)).explained()
                    ? ExitCode.OK : ExitCode.DIFFERENT, "")));

    private final CliFuzzTarget cli = new CliFuzzTarget();

    /** Whether {@code args} (a command and one file) is answered directly rather than through the CLI. */
    public static boolean isDirect(List<String> args) {
        return reader(args) != null;
    }

    @Override
    public Outcome run(List<String> args) {
        Reader r = reader(args);
        if (r == null) {
            return cli.run(args);
        }
        try {
            Answer a = r.read().apply(args.get(r.argsBeforeFile()));
            return new Outcome(a.exit(), a.out(), "");
        } catch (Exception e) {
            StringWriter err = new StringWriter();
            int exit = Main.reportFailure(e, new PrintWriter(err, true));
            return new Outcome(exit, "", err.toString());
        }
    }

    private static Reader reader(List<String> args) {
        for (int words = 1; words <= 3 && words < args.size(); words++) {
            Reader r = READERS.get(String.join(" ", args.subList(0, words)));
            if (r != null && args.size() == words + 1) {
                return r;
            }
        }
        return null;
    }
}
