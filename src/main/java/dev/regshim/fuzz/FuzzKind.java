package dev.regshim.fuzz;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * One kind of untrusted input and the command that reads it. The standard kinds are in {@link FuzzKinds}; a new input
 * kind (QEMU error logs for {@code explain}, say) is one more implementation registered there.
 */
public interface FuzzKind {

    /** Short name for {@code regshim fuzz --kind}. */
    String name();

    /** The file name ending the input is written with ({@code .mig}, {@code .json}, ...). */
    String suffix();

    /** This case's input: a mutated corpus entry; {@code what} gets a short description of the mutations. */
    byte[] input(Random rnd, StringBuilder what);

    /** The command line that reads {@code file}. */
    List<String> command(Path file);

    /**
     * A kind over a fixed corpus with a mutator and a command template ({@code "{}"} stands for the file).
     *
     * @param mutator {@link Mutator#BINARY} for binary formats, {@link Mutator#TEXT} for text formats
     */
    static FuzzKind of(String name, String suffix, List<byte[]> corpus, Mutator mutator, List<String> command) {
        if (corpus.isEmpty()) {
            throw new IllegalArgumentException("empty corpus for " + name);
        }
        List<byte[]> entries = List.copyOf(corpus);
        return new FuzzKind() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String suffix() {
                return suffix;
            }

            @Override
            public byte[] input(Random rnd, StringBuilder what) {
                return mutator.mutate(entries.get(rnd.nextInt(entries.size())), rnd, what);
            }

            @Override
            public List<String> command(Path file) {
                return command.stream().map(a -> a.equals("{}") ? file.toString() : a).toList();
            }
        };
    }

    /** How a corpus entry is mutated. */
    @FunctionalInterface
    interface Mutator {
        /** Structure-aware byte mutations (as the stream fuzzer makes them). */
        Mutator BINARY = MutationFuzzer::mutate;
        /** Byte mutations plus tokens that trip text parsers (quotes, braces, huge numbers, bad UTF-8, runs). */
        Mutator TEXT = TextMutations::mutate;

        byte[] mutate(byte[] entry, Random rnd, StringBuilder what);
    }
}
