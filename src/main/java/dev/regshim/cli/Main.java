package dev.regshim.cli;

import dev.regshim.ExitCode;
import dev.regshim.RegshimException;
import dev.regshim.util.Text;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** Entry point: {@code regshim <command>}. The CLI layer only parses arguments, calls the domain packages and prints. */
@Command(name = "regshim",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "ARM64 KVM vCPU register migration toolkit: name, model, check, rewrite and plan QEMU cpreg sets.",
        subcommands = {
            RegsCommand.class,
            KernelCommand.class,
            ProfileCommand.class,
            CheckCommand.class,
            RewriteCommand.class,
            ProxyCommand.class,
            DemoCommand.class,
            InspectCommand.class,
            ExplainCommand.class,
            FuzzCommand.class,
            BenchCommand.class,
            PlanCommand.class,
            LabCommand.class,
            LibvirtHookCommand.class,
            AutoComplete.GenerateCompletion.class,
        })
public final class Main implements Runnable {

    /** The exit codes under the names the commands use; defined in {@link ExitCode}. */
    public static final int EXIT_OK = ExitCode.OK;
    public static final int EXIT_DIFFERENT = ExitCode.DIFFERENT;
    public static final int EXIT_USAGE = ExitCode.INPUT;
    public static final int EXIT_INTERNAL = ExitCode.INTERNAL;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        StandardStreams.ownDescriptor();
        System.exit(execute(args));
    }

    /**
     * Runs the CLI with the process's streams (always UTF-8, whatever the locale); returns the exit code. A write to
     * standard output that failed (a full disk, a reader that went away) never ends in 0: it is reported and the
     * exit is 2.
     */
    public static int execute(String... args) {
        StandardStreams.CheckedStream stdout = StandardStreams.out();
        stdout.reset();
        CommandLine cl = newCommandLine();
        PrintWriter out = new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        cl.setOut(out);
        cl.setErr(err);
        int code = cl.execute(args);
        out.flush();
        // an input error or internal error (2, 3) has printed its own line, its write failure most likely among them
        if (stdout.failure() != null && (code == EXIT_OK || code == EXIT_DIFFERENT)) {
            err.println(Text.errorLine("regshim: ", "cannot write standard output: "
                    + dev.regshim.util.SafeFiles.reason(stdout.failure())));
            err.flush();
            return code == EXIT_OK ? EXIT_USAGE : code;
        }
        return code;
    }

    /**
     * What a command that threw prints and returns: a domain error's one line and its exit code; anything else is an
     * internal error (exit 3). The fuzz targets classify their cases by this same rule.
     */
    static int reportFailure(Exception ex, PrintWriter err) {
        if (ex instanceof RegshimException) {
            err.println(Text.errorLine("regshim: ", ex.getMessage()));
            err.flush();
            return ((RegshimException) ex).exitCode();
        }
        if (ex instanceof java.nio.file.InvalidPathException) { // a file name from input the OS cannot take (NUL)
            err.println(Text.errorLine("regshim: ", "not a usable file name: " + ex.getMessage()));
            err.flush();
            return EXIT_USAGE;
        }
        err.println(Text.errorLine("regshim: internal error: ", String.valueOf(ex)));
        if (System.getenv("REGSHIM_DEBUG") != null) {
            ex.printStackTrace(err);
        } else {
            err.println("regshim: set REGSHIM_DEBUG=1 for the stack trace, and please report it");
        }
        err.flush();
        return EXIT_INTERNAL;
    }

    public static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new Main());
        HelpText.apply(cl);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> reportFailure(ex, commandLine.getErr()));
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println(Text.errorLine("regshim: ", ex.getMessage()));
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            err.flush();
            return EXIT_USAGE;
        });
        return cl;
    }
}
