package dev.regshim.profile.source;

import dev.regshim.RegshimException;
import dev.regshim.profile.Profile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves a profile argument: {@code kernel:6.13+pmu+sve}, a migration stream or libvirt save image, a profile
 * JSON file, or a plain register list. Sources are tried in registration order; the first that accepts wins.
 */
public final class ProfileSources {

    private static final List<ProfileSource> SOURCES = new ArrayList<>();

    static {
        register(new KernelProfileSource());
        register(new StreamProfileSource());
        register(new CaptureProfileSource());
        register(new JsonProfileSource());
    }

    private ProfileSources() {
    }

    /** Adds a source ahead of the generic ones (the list-file source always comes last). */
    public static synchronized void register(ProfileSource s) {
        SOURCES.add(s);
    }

    public static synchronized Profile resolve(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new RegshimException("empty profile argument");
        }
        for (ProfileSource s : SOURCES) {
            if (s.accepts(spec)) {
                return s.load(spec);
            }
        }
        ListFileSource list = new ListFileSource();
        if (list.accepts(spec)) {
            return list.load(spec);
        }
        if (!spec.contains(":") && !Files.exists(Path.of(spec))) {
            throw new RegshimException("no such file: " + spec
                    + " (a profile is a stream, a libvirt save image, a profile JSON, a kernel capture, a register list, or kernel:VERSION[+features])");
        }
        throw new RegshimException("cannot use '" + spec + "' as a profile"
                + " (a profile is a stream, a libvirt save image, a profile JSON, a kernel capture, a register list, or kernel:VERSION[+features])");
    }
}
