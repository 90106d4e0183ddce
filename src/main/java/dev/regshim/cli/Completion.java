package dev.regshim.cli;

import dev.regshim.cpreg.Semantics;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The bash completion script (picocli's {@link AutoComplete}) with what picocli cannot see in the definitions: the
 * commands take most files as strings (so that {@code -} and {@code kernel:SPEC} parse too), which picocli would
 * complete with nothing, and their option values are validated by the domain, not picocli enums. So on a copy of the
 * command tree used only for this script, file-taking arguments are typed as paths (bash offers file names) and
 * options with a fixed vocabulary carry it as completion candidates.
 */
final class Completion {

    /** Labels of arguments that name a file (or a profile source, which is usually one). */
    static final Set<String> FILE_LABELS = Set.of("FILE", "SRC", "DST", "IN", "OUT", "PROFILE", "DIR", "PATH", "STREAM",
            "KERNEL", "A", "B", "CAPTURE[#SET]");

    static final Map<String, List<String>> VALUES = Map.of(
            "--semantics", semantics(true),
            "--before", semantics(false),
            "--accel", List.of("kvm", "tcg"),
            "--emit", List.of("qemu", "libvirt", "c", "json", "all"),
            "--verify", List.of("decode", "bytes"),
            "--policy", List.of("strict", "tolerant", "force"));

    private Completion() {
    }

    private static List<String> semantics(boolean auto) {
        List<String> out = new ArrayList<>();
        if (auto) {
            out.add(Semantics.AUTO);
        }
        Arrays.stream(Semantics.values()).map(Semantics::label).forEach(out::add);
        return out;
    }

    static String bash() {
        CommandLine cl = Main.newCommandLine();
        enrich(cl);
        return AutoComplete.bash("regshim", cl);
    }

    private static void enrich(CommandLine cl) {
        CommandSpec spec = cl.getCommandSpec();
        for (OptionSpec o : new ArrayList<>(spec.options())) {
            List<String> values = VALUES.get(o.longestName());
            boolean file = o.type() == String.class && FILE_LABELS.contains(o.paramLabel());
            if (values == null && !file) {
                continue;
            }
            // a fresh spec (a copied one keeps its type information): names, label and arity are what completion reads
            OptionSpec.Builder b = OptionSpec.builder(o.names()).paramLabel(o.paramLabel()).arity(o.arity().toString())
                    .description(o.description()).hidden(o.hidden());
            if (values != null) {
                b.type(String.class).completionCandidates(values);
            } else {
                b.type(Path.class);
            }
            spec.remove(o);
            spec.addOption(b.build());
        }
        for (PositionalParamSpec p : new ArrayList<>(spec.positionalParameters())) {
            if (p.type() == String.class && FILE_LABELS.contains(p.paramLabel())) {
                PositionalParamSpec np = PositionalParamSpec.builder().index(p.index().toString()).paramLabel(p.paramLabel())
                        .arity(p.arity().toString()).description(p.description()).type(Path.class).build();
                spec.remove(p);
                spec.addPositional(np);
            }
        }
        cl.getSubcommands().values().forEach(Completion::enrich);
    }
}
