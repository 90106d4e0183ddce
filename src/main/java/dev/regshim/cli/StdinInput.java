package dev.regshim.cli;

import dev.regshim.RegshimException;
import dev.regshim.util.SafeFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * {@code -} as a file argument: standard input, spooled once into a private file named {@code stdin} (streams are
 * read more than once, and profiles are recognised by their content), removed when the JVM exits. Only one argument
 * of a command can be {@code -}.
 */
final class StdinInput {

    static final String DASH = "-";

    private StdinInput() {
    }

    /** Each argument itself, or for {@code -} the path of standard input's spooled copy; at most one may be {@code -}. */
    static String[] paths(String... args) {
        String[] out = args.clone();
        if (java.util.Arrays.stream(args).filter(DASH::equals).count() > 1) { // refused before anything is read
            throw new RegshimException("standard input ('-') can be read for one argument only");
        }
        for (int i = 0; i < out.length; i++) {
            if (DASH.equals(out[i])) {
                out[i] = spool(System.in).toString();
            }
        }
        return out;
    }

    static String path(String arg) {
        return paths(arg)[0];
    }

    static Path spool(InputStream in) {
        try {
            Path dir = Files.createTempDirectory("regshim-");
            Path file = dir.resolve("stdin");
            Files.copy(in, file);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
            return file;
        } catch (IOException e) {
            throw new RegshimException("cannot spool standard input to a temporary file: " + SafeFiles.reason(e));
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory; nothing else to do
        }
    }
}
