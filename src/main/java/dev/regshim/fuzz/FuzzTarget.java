package dev.regshim.fuzz;

import java.util.List;

/**
 * What a fuzz case runs, given the command line that reads its file: the whole CLI in this process (what a user sees:
 * the exit code and every line printed), or the reader that command calls, classified by the CLI's rule (several times
 * faster, for campaigns of millions). The CLI package provides both.
 */
@FunctionalInterface
public interface FuzzTarget {

    /** The outcome of one command line. */
    record Outcome(int exit, String out, String err) {
    }

    Outcome run(List<String> args);
}
