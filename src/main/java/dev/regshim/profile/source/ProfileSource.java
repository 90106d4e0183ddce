package dev.regshim.profile.source;

import dev.regshim.profile.Profile;
/** One way of turning a user's profile argument (a path, {@code kernel:...}, ...) into a {@link Profile}. */
public interface ProfileSource {

    /** Whether this source handles the argument; cheap (may peek at a file's first bytes). */
    boolean accepts(String spec);

    Profile load(String spec);
}
