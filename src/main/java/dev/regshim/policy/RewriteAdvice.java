package dev.regshim.policy;

import dev.regshim.cpreg.LoadSettings;
import dev.regshim.profile.Profile;
import dev.regshim.regs.RegCatalog;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code regshim rewrite} would do for a source and destination: the least permissive policy under which it
 * makes the state load, and what it changes or discards. Used by {@code check} so its advice is the rewriter's own
 * decision, not a guess.
 */
public final class RewriteAdvice {

    public record Advice(Optional<Policy> policy, List<String> dropped, List<String> changed, List<String> lossy,
                         String refusal, String text) {
    }

    private RewriteAdvice() {
    }

    /** Empty when the source has no values (a kernel or list profile): a rewrite needs a real stream. */
    public static Optional<Advice> advise(Profile source, Profile destination, LoadSettings settings) {
        if (source.vcpus().stream().anyMatch(v -> !v.cpregs().hasValues())) {
            return Optional.empty();
        }
        String firstRefusal = null;
        for (Policy p : Policy.values()) {
            RewriteOptions o = new RewriteOptions(destination, settings, p, List.of());
            RewritePlan plan;
            try {
                plan = RewritePlan.of(source, o);
            } catch (RewriteRefusedException e) {
                return Optional.of(new Advice(Optional.empty(), List.of(), List.of(), List.of(), e.getMessage(),
                        "a rewrite cannot help: " + e.getMessage()));
            }
            if (plan.refused()) {
                if (firstRefusal == null) {
                    Refusal r = plan.refusals().get(0);
                    firstRefusal = RegCatalog.get().name(r.id()) + ": " + r.reason();
                }
                continue;
            }
            if (!plan.verdict(source).loads()) {
                String why = plan.verdict(source).firstError();
                return Optional.of(new Advice(Optional.empty(), List.of(), List.of(), List.of(), why,
                        "a rewrite cannot help: the destination would still refuse the stream (" + why + ")"));
            }
            Set<String> dropped = new LinkedHashSet<>(), changed = new LinkedHashSet<>(), lossy = new LinkedHashSet<>();
            for (VcpuRewrite v : plan.vcpus()) {
                for (RegisterChange c : v.changes()) {
                    String n = RegCatalog.get().name(c.id());
                    if (c.lossy()) {
                        lossy.add(n);
                    }
                    if (c.kind() == RegisterChange.Kind.DROPPED) {
                        dropped.add(n);
                    } else if (c.kind() == RegisterChange.Kind.CHANGED) {
                        changed.add(n);
                    }
                }
            }
            StringBuilder t = new StringBuilder("`regshim rewrite` makes it load");
            t.append(p == Policy.STRICT ? " under the default policy" : " only with --policy " + p.label());
            if (!dropped.isEmpty()) {
                t.append(", dropping ").append(String.join(", ", dropped));
            }
            if (!changed.isEmpty()) {
                t.append(dropped.isEmpty() ? ", changing " : "; changing ").append(String.join(", ", changed));
            }
            if (!lossy.isEmpty()) {
                t.append(" — guest state lost in ").append(String.join(", ", lossy));
            }
            if (p != Policy.STRICT && firstRefusal != null) {
                t.append(" (strict refuses: ").append(firstRefusal).append(')');
            }
            return Optional.of(new Advice(Optional.of(p), new ArrayList<>(dropped), new ArrayList<>(changed),
                    new ArrayList<>(lossy), firstRefusal, t.toString()));
        }
        return Optional.empty();
    }
}
