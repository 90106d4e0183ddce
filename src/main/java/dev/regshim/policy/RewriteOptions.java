package dev.regshim.policy;

import dev.regshim.cpreg.LoadSettings;
import dev.regshim.profile.Profile;

import java.util.List;

/**
 * What a stream rewrite aims at and what it may give up.
 *
 * @param destination the destination's profile (a stream or capture gives its values, a kernel or list only IDs)
 * @param settings    the destination QEMU's semantics and accelerator, and the {@code --hide} / {@code --fake} lists
 */
public record RewriteOptions(Profile destination, LoadSettings settings, Policy policy, List<InertRule> inert) {

    public RewriteOptions {
        inert = inert == null ? List.of() : List.copyOf(inert);
        policy = policy == null ? Policy.STRICT : policy;
    }

    CpregRewritePlanner.Options plannerOptions() {
        return new CpregRewritePlanner.Options(settings.accel(), settings.hidden(), settings.fake(), policy, inert, null,
                destination.kvmValueRule());
    }
}
