package dev.regshim.cli;

import dev.regshim.util.SafeFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What {@code scripts/install.sh} writes besides the jar and the launcher, generated from the jar's own command
 * definitions: {@code java -cp regshim.jar dev.regshim.cli.InstallFiles man DIR} writes a manual page per command,
 * {@code ... completion FILE} the bash completion script. Not a regshim command: operators never run it directly.
 */
public final class InstallFiles {

    private InstallFiles() {
    }

    public static void main(String[] args) {
        if (args.length != 2 || !(args[0].equals("man") || args[0].equals("completion"))) {
            System.err.println("usage: InstallFiles man DIR | completion FILE");
            System.exit(Main.EXIT_USAGE);
        }
        try {
            if (args[0].equals("man")) {
                Path dir = Path.of(args[1]);
                Files.createDirectories(dir);
                Map<String, String> pages = ManPage.all(Main.newCommandLine(), new VersionProvider().getVersion()[0].replaceFirst("^regshim ", ""));
                for (Map.Entry<String, String> e : pages.entrySet()) {
                    write(dir.resolve(e.getKey()), e.getValue());
                }
                System.out.println(pages.size() + " manual pages in " + dir);
            } else {
                write(Path.of(args[1]), Completion.bash());
            }
        } catch (IOException e) {
            System.err.println("regshim install: cannot write " + args[1] + ": " + SafeFiles.reason(e));
            System.exit(Main.EXIT_USAGE);
        } catch (Exception e) {
            System.err.println("regshim install: " + e.getMessage());
            System.exit(Main.EXIT_INTERNAL);
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        if (!Files.readString(file, StandardCharsets.UTF_8).equals(text)) {
            throw new IOException("reading it back gives different content");
        }
    }
}
