package dev.regshim.util;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finding a program on the search path, the one way every part of regshim does it. */
public final class Executables {

    private Executables() {
    }

    /** The first executable file {@code name} in a directory of this process's {@code PATH}. */
    public static Optional<Path> onPath(String name) {
        return onPath(name, System.getenv("PATH"));
    }

    /**
     * The first executable file {@code name} in a directory of {@code pathVariable} (a {@code PATH} value; null finds
     * nothing). Empty entries are skipped: the working directory is never searched.
     */
    public static Optional<Path> onPath(String name, String pathVariable) {
        if (pathVariable == null) {
            return Optional.empty();
        }
        for (String d : pathVariable.split(File.pathSeparator)) {
            if (d.isEmpty()) {
                continue;
            }
            Path c = Path.of(d, name);
            if (Files.isRegularFile(c) && Files.isExecutable(c)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
