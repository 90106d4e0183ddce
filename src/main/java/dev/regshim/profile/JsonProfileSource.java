package dev.regshim.profile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** A profile JSON file written by {@code regshim profile ...}. */
public final class JsonProfileSource implements ProfileSource {

    @Override
    public boolean accepts(String spec) {
        Path p = Path.of(spec);
        if (!Files.isRegularFile(p)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(p)) {
            int c;
            do {
                c = in.read();
            } while (c == ' ' || c == '\n' || c == '\r' || c == '\t');
            return c == '{';
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public Profile load(String spec) {
        return ProfileJson.read(Path.of(spec));
    }
}
