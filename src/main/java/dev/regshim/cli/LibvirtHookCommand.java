package dev.regshim.cli;

import dev.regshim.RegshimException;
import dev.regshim.check.CheckResult;
import dev.regshim.libvirt.DomainXml;
import dev.regshim.libvirt.IncomingCheck;
import dev.regshim.libvirt.IncomingCheck.Decision;
import dev.regshim.libvirt.IncomingCheck.Direction;
import dev.regshim.plan.CompatEmitter;
import dev.regshim.plan.Fleet;
import dev.regshim.profile.Profile;
import dev.regshim.profile.source.ProfileSources;
import dev.regshim.regs.RegSet;
import dev.regshim.util.Text;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code regshim libvirt-hook DOMAIN OPERATION SUB-OPERATION [EXTRA]}, the domain XML on standard input: libvirt's
 * QEMU hook ({@code scripts/libvirt-hook-qemu} is the thin wrapper installed as {@code /etc/libvirt/hooks/qemu}).
 * Acts on {@code migrate begin} and {@code restore begin}; prints the edited XML (libvirt uses it) or refuses with
 * exit 1 and a few lines on standard error (libvirt shows them as the reason).
 */
@Command(name = "libvirt-hook", mixinStandardHelpOptions = true,
        description = {"libvirt's QEMU hook: checks a guest arriving by migration or restore against this host and adds",
            "the plan's register lists to its domain XML (read on standard input; the new XML goes to standard output).",
            "Every fleet host's profile is checked as the sender, with this host's captured profile as the destination",
            "and the lists the domain carries. Refuses (exit 1, the failing hosts and registers on standard error) a",
            "failing direction, lists this host's QEMU does not have, a plan marked NOT ACCEPTED, or a domain carrying",
            "other lists than the plan's. Settings come from the options or the environment (the wrapper script reads",
            "/etc/regshim/hook.conf). See docs/libvirt.md."})
public final class LibvirtHookCommand implements Callable<Integer> {

    static final Set<String> OPERATIONS = Set.of("migrate", "restore");
    static final String SUB_OPERATION = "begin";
    /** Failing directions named on standard error; libvirt shows all of it, so it stays short. */
    static final int SHOWN = 4;
    /** The longest reason line (libvirt appends standard error to its own error line). */
    static final int LINE = 400;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DOMAIN")
    String domain;
    @Parameters(index = "1", paramLabel = "OPERATION", description = "libvirt's operation: migrate and restore are acted on")
    String operation;
    @Parameters(index = "2", paramLabel = "SUB-OPERATION")
    String subOperation;
    @Parameters(index = "3", paramLabel = "EXTRA", arity = "0..1")
    String extra;

    @Option(names = "--plan", paramLabel = "FILE", defaultValue = "${env:REGSHIM_PLAN_XML:-/etc/regshim/plan-libvirt.xml}",
            description = "the plan's libvirt fragment, regshim plan -q --emit libvirt (default: $REGSHIM_PLAN_XML or ${DEFAULT-VALUE})")
    Path plan;
    @Option(names = "--fleet", paramLabel = "FILE", defaultValue = "${env:REGSHIM_FLEET:-/etc/regshim/fleet.txt}",
            description = "NAME=PROFILE lines of the hosts that may send guests here (default: $REGSHIM_FLEET or ${DEFAULT-VALUE})")
    Path fleet;
    @Option(names = "--host-profile", paramLabel = "FILE", defaultValue = "${env:REGSHIM_HOST_PROFILE:-/etc/regshim/host.json}",
            description = "this host's profile, regshim profile capture --domain (default: $REGSHIM_HOST_PROFILE or ${DEFAULT-VALUE})")
    Path hostProfile;
    @Option(names = "--semantics", paramLabel = "S", defaultValue = "${env:REGSHIM_SEMANTICS:-auto}",
            description = "this host's QEMU when the domain carries no lists (default: $REGSHIM_SEMANTICS or ${DEFAULT-VALUE})")
    String semantics;
    @Option(names = "--dry-run", defaultValue = "${env:REGSHIM_HOOK_DRY_RUN:-0}", arity = "0..1", fallbackValue = "1",
            paramLabel = "0|1", description = "only say what it would do: the XML is left as it is, nothing is refused ($REGSHIM_HOOK_DRY_RUN=1)")
    String dryRun;

    @Override
    public Integer call() {
        if (!OPERATIONS.contains(operation) || !SUB_OPERATION.equals(subOperation)) {
            return Main.EXIT_OK; // every other operation: nothing to do, the XML is left as it is
        }
        boolean dry = "1".equals(dryRun.strip()) || "true".equalsIgnoreCase(dryRun.strip());
        DomainXml xml = DomainXml.parse(readStdin(), "the domain XML on standard input");
        Optional<DomainXml> planXml = Files.isRegularFile(plan) ? Optional.of(DomainXml.parsePlan(read(plan), plan.toString()))
                : Optional.empty();
        Optional<Fleet> fleetHosts = xml.isAarch64() && Files.isRegularFile(fleet)
                ? Optional.of(PlanCommand.resolveFleet(List.of(), fleet.toString())) : Optional.empty();
        Optional<Profile> host = xml.isAarch64() && Files.isRegularFile(hostProfile)
                ? Optional.of(ProfileSources.resolve(hostProfile.toString())) : Optional.empty();
        Decision d = IncomingCheck.decide(xml, planXml, fleetHosts, host, semantics);
        PrintWriter err = spec.commandLine().getErr();
        String prefix = "regshim hook: " + Text.safe(domain, 80) + " " + operation + ": " + (dry ? "dry run: would " : "");
        switch (d.action()) {
            case REFUSE -> refusal(d).forEach(l -> err.println(prefix + (dry ? "refuse: " : "refused: ") + Text.safe(l, LINE)));
            case EDIT -> err.println(prefix + (dry ? "add" : "adding") + " the plan's register lists from " + plan + " ("
                    + d.lists().hidden().size() + " hidden, " + d.lists().fake().size() + " fake)");
            default -> err.println(prefix + (dry ? "pass" : "passes") + (d.lists().isEmpty() ? "" : " (it carries the plan's lists)"));
        }
        if (d.action() != IncomingCheck.Action.REFUSE) {
            if (!d.checked().isEmpty()) {
                err.println(prefix.replace("would ", "") + "checked against " + d.checked().size() + " sender profile(s) ("
                        + String.join(", ", d.checked().stream().flatMap(x -> x.sources().stream()).toList()) + "): each loads here");
            }
            d.notes().forEach(n -> err.println("regshim hook: note: " + n));
        }
        err.flush();
        if (dry) {
            return Main.EXIT_OK;
        }
        if (d.action() == IncomingCheck.Action.EDIT) {
            PrintWriter out = spec.commandLine().getOut();
            out.print(d.output().orElseThrow().text());
            out.flush();
        }
        return d.action() == IncomingCheck.Action.REFUSE ? Main.EXIT_DIFFERENT : Main.EXIT_OK;
    }

    /** The refusal's lines: what fails, naming hosts and registers, at most {@link #SHOWN} directions. */
    private List<String> refusal(Decision d) {
        switch (d.refusal().orElseThrow()) {
            case PLAN_NOT_ACCEPTED:
                return List.of("the plan in " + plan + " is NOT ACCEPTED (emitted with --force): "
                        + CompatEmitter.brief(d.planProblems().get(0))
                        + (d.planProblems().size() > 1 ? " (and " + (d.planProblems().size() - 1) + " more)" : ""));
            case OTHER_LISTS:
                return List.of("the domain carries other register lists than the plan in " + plan + " (only the domain's: "
                        + names(d.listsOnlyInDomain()) + "; only the plan's: " + names(d.listsOnlyInPlan())
                        + "); a list is part of the running VM's configuration: update the plan or the domain");
            case LISTS_UNSUPPORTED:
                dev.regshim.cpreg.LoadSettings h = d.host().orElseThrow();
                dev.regshim.cpreg.Semantics listed = d.lists().semantics().orElseThrow();
                return List.of("the domain's lists are " + listed.label() + " properties (" + listed.hiddenProperty() + ", "
                        + listed.fakeProperty() + "); this host's QEMU " + h.release() + " (" + h.semantics().label() + ", "
                        + h.accel().label() + ") has " + (h.semantics() == listed ? "them for KVM vCPUs only" : "none")
                        + ": it would stop with 'property not found'"
                        + (h.semantics() == listed ? "" : " ($REGSHIM_SEMANTICS names a patched QEMU)"));
            default:
                List<Direction> failed = d.failed();
                List<String> lines = new java.util.ArrayList<>();
                for (Direction f : failed.subList(0, Math.min(SHOWN, failed.size()))) {
                    lines.add("a guest from " + String.join(", ", f.sources()) + " would not load here: " + why(f));
                }
                if (failed.size() > SHOWN) {
                    lines.add("and " + (failed.size() - SHOWN) + " more sender(s) fail; regshim check --from PROFILE --to "
                            + hostProfile + " shows each in full");
                }
                return lines;
        }
    }

    private static String why(Direction f) {
        CheckResult r = f.result();
        List<String> causes = CheckCauses.of(f.source(), r);
        String first = causes.isEmpty() ? (r.firstError() == null ? "the model predicts a failed load" : r.firstError())
                : causes.get(0);
        return first + (causes.size() > 1 ? "; and " + (causes.size() - 1) + " more cause(s)" : "");
    }

    private static String names(RegSet s) {
        return s.isEmpty() ? "none" : CheckCauses.countedIds(s.asList());
    }

    private static String readStdin() {
        try {
            InputStream in = System.in;
            byte[] b = in.readNBytes(DomainXml.MAX_CHARS + 1);
            if (b.length > DomainXml.MAX_CHARS) {
                throw new RegshimException("the domain XML on standard input is longer than " + DomainXml.MAX_CHARS + " bytes");
            }
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RegshimException("cannot read the domain XML on standard input: " + dev.regshim.util.SafeFiles.reason(e));
        }
    }

    private static String read(Path file) {
        try {
            if (Files.size(file) > DomainXml.MAX_CHARS) {
                throw new RegshimException(file + ": larger than " + DomainXml.MAX_CHARS + " bytes");
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RegshimException("cannot read " + file + ": " + dev.regshim.util.SafeFiles.reason(e));
        }
    }
}
