package dev.regshim.profile.source;

import dev.regshim.profile.Profile;
import dev.regshim.profile.ProfileJson;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** A profile JSON file written by {@code regshim profile ...}. */
public final class JsonProfileSource implements ProfileSource {

    private static final int UTF8_BOM_FIRST_BYTE = 0xef;

    @Override
    public boolean accepts(String spec) {
        Path p = Path.of(spec);
        if (!Files.isRegularFile(p)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(p)) {
            int c = in.read();
            if (c == UTF8_BOM_FIRST_BYTE) {
                // A byte-order mark: claim the file so the JSON reader names the mark instead of a list parser
                // reporting a confusing syntax error.
                return true;
            }
            while (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                c = in.read();
            }
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
