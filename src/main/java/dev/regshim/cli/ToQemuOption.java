package dev.regshim.cli;

import dev.regshim.cpreg.DestinationRelease;
import dev.regshim.profile.Profile;
import picocli.CommandLine.Option;

/** {@code --to-qemu}: the destination QEMU's release, shared by every command that models a load. */
public final class ToQemuOption {

    @Option(names = "--to-qemu", paramLabel = "VERSION",
            description = "the destination's QEMU release: 7.2, 8.x, 9.x, 10.0, 10.1, 10.2, 11.0, 11.1 or later. It decides "
                    + "the cpreg semantics, the lines QEMU prints, its aborts and the subsections it knows (default: what "
                    + "the destination profile records, or what a destination stream proves).")
    String toQemu;

    /** The release to model for this destination profile. */
    DestinationRelease resolve(Profile destination) {
        return DestinationRelease.resolve(toQemu, destination.provenance().qemuVersion());
    }
}
