package dev.regshim.profile.source;

import dev.regshim.RegshimException;
import dev.regshim.profile.Profile;
import dev.regshim.stream.ReadOptions;
import dev.regshim.stream.container.StreamFiles;

import java.io.IOException;
import java.nio.file.Path;

/** A migration stream file (bare, compressed, or a libvirt save image) as a profile: what its source sent. */
public final class StreamProfileSource implements ProfileSource {

    @Override
    public boolean accepts(String spec) {
        return StreamFiles.looksLikeStream(Path.of(spec));
    }

    @Override
    public Profile load(String spec) {
        return load(spec, ReadOptions.defaults());
    }

    /** With the caller's read options (a progress consumer for a long stream). */
    public Profile load(String spec, ReadOptions options) {
        try {
            return StreamProfiles.fromSummary(StreamFiles.summarize(Path.of(spec), options), spec, "stream");
        } catch (IOException e) {
            throw new RegshimException("cannot read " + spec + ": " + dev.regshim.util.SafeFiles.reason(e), e);
        }
    }
}
