package dev.regshim.plan;

import dev.regshim.profile.Profile;

/** One host of a fleet: its name, the profile argument it came from, and the profile. */
public record FleetHost(String name, String spec, Profile profile) {
}
