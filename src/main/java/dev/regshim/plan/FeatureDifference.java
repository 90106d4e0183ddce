package dev.regshim.plan;

import java.util.List;

/** A CPU feature guests see on some host classes and not on others: guest-visible, whatever the register lists say. */
public record FeatureDifference(GuestFeature feature, List<Integer> with, List<Integer> without) {

    public FeatureDifference {
        with = List.copyOf(with);
        without = List.copyOf(without);
    }
}
