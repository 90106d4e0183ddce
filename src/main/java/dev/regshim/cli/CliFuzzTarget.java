package dev.regshim.cli;

import dev.regshim.fuzz.FuzzTarget;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/**
 * The CLI in this process as a fuzz target: exactly what {@code regshim ARGS} prints and returns (the error handler,
 * the exit codes, the one-line rule), with one command tree per thread reused across cases (building it costs more
 * than most cases).
 */
public final class CliFuzzTarget implements FuzzTarget {

    private final ThreadLocal<CommandLine> cli = ThreadLocal.withInitial(Main::newCommandLine);

    @Override
    public Outcome run(List<String> args) {
        CommandLine cl = cli.get();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args.toArray(String[]::new));
        return new Outcome(exit, out.toString(), err.toString());
    }
}
