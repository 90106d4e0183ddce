package dev.regshim.rewrite;

import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.LoadSettings;
import dev.regshim.cpreg.Semantics;
import dev.regshim.policy.Policy;
import dev.regshim.policy.RewriteOptions;
import dev.regshim.profile.source.ProfileSources;

import java.nio.file.Path;
import java.util.List;

/** Rewrite options for a TCG destination given by a stream it saved, as {@code regshim rewrite --to FILE} builds them. */
final class RewriteOptionsFor {

    private RewriteOptionsFor() {
    }

    static RewriteOptions stream(Path destination, Policy policy) {
        return new RewriteOptions(ProfileSources.resolve(destination.toString()),
                LoadSettings.of(Semantics.QEMU_STOCK, Accel.TCG), policy, List.of());
    }
}
