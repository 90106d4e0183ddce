package dev.regshim.cli;

import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.LoadSettings;
import dev.regshim.cpreg.Semantics;
import dev.regshim.policy.InertRule;
import dev.regshim.policy.Policy;
import dev.regshim.policy.RewriteOptions;
import dev.regshim.profile.Profile;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** The options {@code rewrite} and {@code proxy} share: the destination QEMU's semantics and what may be given up. */
public final class RewritePolicyOptions {

    @Option(names = "--semantics", paramLabel = "S", defaultValue = Semantics.AUTO,
            description = "the destination QEMU: auto | qemu-stock | series-v1 | series-v2 | qemu-11.1 (default: "
                    + "${DEFAULT-VALUE}: qemu-11.1 when the destination profile's QEMU is 11.1 or later, else qemu-stock)")
    String semantics;

    @Option(names = "--accel", paramLabel = "tcg|kvm", description = "destination accelerator (default: from its profile)")
    String accel;

    @picocli.CommandLine.Mixin
    ToQemuOption toQemu = new ToQemuOption();

    @Option(names = "--hide", split = ",", paramLabel = "REG",
            description = "drop these registers from the stream (as a source hiding them would)")
    List<String> hide = new ArrayList<>();

    @Option(names = "--fake", split = ",", paramLabel = "REG",
            description = "registers the destination fakes: dropped when it does not have them")
    List<String> fake = new ArrayList<>();

    @Option(names = "--policy", paramLabel = "P", defaultValue = "strict",
            description = "strict | tolerant | force (default: ${DEFAULT-VALUE})")
    String policy;

    @Option(names = "--inert", split = ",", paramLabel = "REG[=VALUE]", description = "declare a register's value inert (droppable)")
    List<String> inert = new ArrayList<>();

    /** The rewrite options for this destination (its accelerator from its profile unless --accel says). */
    RewriteOptions toOptions(Profile destination) {
        Accel acc = accel != null ? Accel.parse(accel) : destination.assumedAccel();
        dev.regshim.cpreg.DestinationRelease release = toQemu.resolve(destination);
        LoadSettings settings = new LoadSettings(Semantics.resolve(semantics, release), acc, CheckCommand.regs(hide),
                CheckCommand.regs(fake), release);
        List<InertRule> rules = new ArrayList<>();
        inert.stream().filter(s -> !s.isBlank()).forEach(s -> rules.add(InertRule.parse(s)));
        return new RewriteOptions(destination, settings, Policy.parse(policy), rules);
    }
}
