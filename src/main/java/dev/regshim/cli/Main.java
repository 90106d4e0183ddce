package dev.regshim.cli;

import dev.regshim.RegshimException;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

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
            FuzzCommand.class,
            BenchCommand.class,
            PlanCommand.class,
            LabCommand.class,
            AutoComplete.GenerateCompletion.class,
        })
public final class Main implements Runnable {

    /** Exit codes, as the README documents them. */
    public static final int EXIT_OK = 0;
    public static final int EXIT_DIFFERENT = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_INTERNAL = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI with the process's streams (always UTF-8, whatever the locale); returns the exit code. */
    public static int execute(String... args) {
        CommandLine cl = newCommandLine();
        cl.setOut(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
        return cl.execute(args);
    }

    public static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (ex instanceof RegshimException) {
                err.println("regshim: " + ex.getMessage());
                err.flush();
                return ((RegshimException) ex).exitCode();
            }
            err.println("regshim: internal error: " + ex);
            if (System.getenv("REGSHIM_DEBUG") != null) {
                ex.printStackTrace(err);
            } else {
                err.println("regshim: set REGSHIM_DEBUG=1 for the stack trace, and please report it");
            }
            err.flush();
            return EXIT_INTERNAL;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("regshim: " + ex.getMessage());
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            err.flush();
            return EXIT_USAGE;
        });
        return cl;
    }
}
