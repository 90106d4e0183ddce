package dev.regshim.fuzz;

import java.util.List;

/**
 * What a fuzz case runs: the real CLI in this process (the CLI package provides it), so that a case sees exactly what a
 * user would: the exit code and every line printed.
 */
@FunctionalInterface
public interface FuzzTarget {

    /** The outcome of one command line. */
    record Outcome(int exit, String out, String err) {
    }

    Outcome run(List<String> args);
}
