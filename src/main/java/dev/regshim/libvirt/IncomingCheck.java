package dev.regshim.libvirt;

import dev.regshim.check.CheckResult;
import dev.regshim.check.MigrationCheck;
import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.DestinationRelease;
import dev.regshim.cpreg.LoadSettings;
import dev.regshim.cpreg.Semantics;
import dev.regshim.plan.CompatEmitter;
import dev.regshim.plan.Fleet;
import dev.regshim.plan.FleetHost;
import dev.regshim.profile.Profile;
import dev.regshim.regs.RegSet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the libvirt QEMU hook decides for a guest arriving on this host (an incoming migration, or a restore of a
 * saved image): libvirt gives the hook the domain XML only, never the stream, and not which host sent it. So:
 * <ol>
 * <li>the plan's lists: a domain without register lists gets the plan's {@code <qemu:commandline>} arguments; one
 *     with the same lists passes; one with other lists is refused (a list is part of the running VM's configuration);
 *     a plan file marked NOT ACCEPTED is refused;</li>
 * <li>the lists must exist here: lists of another QEMU series than this host's (or series v1's under TCG, which
 *     adds them to KVM vCPUs only) stop QEMU with "property not found", so the guest is refused;</li>
 * <li>the check: every fleet host could be the sender (for a restore, the image may have been saved anywhere), so
 *     each fleet host's profile is checked against this host's captured profile with the lists the domain carries
 *     after the edit, with the same model as {@code regshim check}. Any direction that fails refuses the guest, with
 *     the failing hosts and their registers named. Hosts whose profile is of another CPU model or accelerator than
 *     the domain's are not checked (they cannot be the sender of this guest), and nothing is checked when this
 *     host's profile is of another CPU model or accelerator (it would not describe what this guest runs on).</li>
 * </ol>
 */
public final class IncomingCheck {

    public enum Action {
        /** nothing to change */
        PASS,
        /** print {@link Decision#output()}, the domain XML with the plan's lists added */
        EDIT,
        /** refuse the operation */
        REFUSE
    }

    public enum Refusal {
        PLAN_NOT_ACCEPTED, OTHER_LISTS,
        /** the lists' properties do not exist on this host's QEMU for this accelerator: QEMU would not start */
        LISTS_UNSUPPORTED,
        CHECK_FAILED
    }

    /** One fleet host as the sender, and the predicted load on this host. */
    public record Direction(List<String> sources, Profile source, CheckResult result) {
    }

    /**
     * @param output     the edited domain XML (EDIT), else empty
     * @param added      the arguments added to {@code <qemu:commandline>}
     * @param lists      the register lists the domain carries once the hook is done
     * @param checked    every direction checked, failing or not
     * @param notes      what was not done and why (no plan, no fleet, a profile of another CPU)
     * @param refusal    why REFUSE, else empty
     * @param planProblems the failing directions a NOT ACCEPTED plan names
     * @param listsOnlyInDomain registers the domain's lists have and the plan's have not (OTHER_LISTS)
     * @param listsOnlyInPlan   registers the plan's lists have and the domain's have not (OTHER_LISTS)
     * @param host       this host's QEMU as modelled (semantics, accelerator, release), when known
     */
    public record Decision(Action action, Optional<DomainXml> output, List<String> added, RegisterLists lists,
                           List<Direction> checked, List<String> notes, Optional<Refusal> refusal,
                           List<String> planProblems, RegSet listsOnlyInDomain, RegSet listsOnlyInPlan,
                           Optional<LoadSettings> host) {

        public List<Direction> failed() {
            return checked.stream().filter(d -> !d.result().loads()).toList();
        }
    }

    private IncomingCheck() {
    }

    public static Decision decide(DomainXml domain, Optional<DomainXml> plan, Optional<Fleet> fleet,
                                  Optional<Profile> host, String semanticsOption) {
        List<String> notes = new ArrayList<>();
        if (!domain.isAarch64()) {
            notes.add("not an aarch64 guest: nothing to do");
            return pass(RegisterLists.none(), notes);
        }
        RegisterLists carried = domain.registerLists();
        RegisterLists after = carried;
        List<String> add = List.of();
        if (plan.isEmpty()) {
            notes.add("no plan: no lists added");
        } else {
            DomainXml p = plan.get();
            List<String> problems = notAccepted(p);
            if (!problems.isEmpty()) {
                return refuse(Refusal.PLAN_NOT_ACCEPTED, carried, List.of(), notes, problems, RegSet.empty(), RegSet.empty(),
                        Optional.empty());
            }
            RegisterLists planned = p.registerLists();
            if (planned.isEmpty()) {
                notes.add("the plan has no lists to add");
            } else if (carried.isEmpty()) {
                add = p.args();
                after = planned;
            } else if (!carried.equals(planned)) {
                RegSet inDomain = carried.hidden().union(carried.fake()).minus(planned.hidden().union(planned.fake()));
                RegSet inPlan = planned.hidden().union(planned.fake()).minus(carried.hidden().union(carried.fake()));
                return refuse(Refusal.OTHER_LISTS, carried, List.of(), notes, List.of(), inDomain, inPlan, Optional.empty());
            }
        }
        Optional<LoadSettings> here = hostSettings(domain, host, semanticsOption, after);
        if (!after.isEmpty() && here.isPresent()
                && (after.semantics().orElseThrow() != here.get().semantics() || !here.get().hidingActive())) {
            return refuse(Refusal.LISTS_UNSUPPORTED, after, List.of(), notes, List.of(), RegSet.empty(), RegSet.empty(), here);
        }
        List<Direction> checked = new ArrayList<>();
        if (fleet.isEmpty() || host.isEmpty()) {
            notes.add("not checked: " + (host.isEmpty() ? "no profile of this host" : "no fleet"));
        } else {
            checked = check(domain, fleet.get(), host.get(), here.orElseThrow(), notes);
        }
        if (checked.stream().anyMatch(d -> !d.result().loads())) {
            return refuse(Refusal.CHECK_FAILED, after, checked, notes, List.of(), RegSet.empty(), RegSet.empty(), here);
        }
        if (add.isEmpty()) {
            return new Decision(Action.PASS, Optional.empty(), List.of(), after, checked, notes, Optional.empty(),
                    List.of(), RegSet.empty(), RegSet.empty(), here);
        }
        return new Decision(Action.EDIT, Optional.of(domain.withArgs(add)), add, after, checked, notes, Optional.empty(),
                List.of(), RegSet.empty(), RegSet.empty(), here);
    }

    /**
     * This host's QEMU for the domain: the semantics given, or for auto those of the release this host's profile
     * records; the domain's accelerator; the lists the domain will carry. Unknown for auto without a profile.
     */
    static Optional<LoadSettings> hostSettings(DomainXml domain, Optional<Profile> host, String semanticsOption,
                                               RegisterLists lists) {
        boolean auto = Semantics.AUTO.equalsIgnoreCase(semanticsOption.strip());
        if (auto && host.isEmpty()) {
            return Optional.empty();
        }
        DestinationRelease release = DestinationRelease.resolve(null, host.map(h -> h.provenance().qemuVersion()).orElse(null));
        return Optional.of(new LoadSettings(Semantics.resolve(semanticsOption, release), Accel.parse(domain.accel()),
                lists.hidden(), lists.fake(), release));
    }

    private static Decision pass(RegisterLists lists, List<String> notes) {
        return new Decision(Action.PASS, Optional.empty(), List.of(), lists, List.of(), notes, Optional.empty(), List.of(),
                RegSet.empty(), RegSet.empty(), Optional.empty());
    }

    private static Decision refuse(Refusal why, RegisterLists lists, List<Direction> checked, List<String> notes,
                                   List<String> problems, RegSet inDomain, RegSet inPlan, Optional<LoadSettings> host) {
        return new Decision(Action.REFUSE, Optional.empty(), List.of(), lists, checked, notes, Optional.of(why), problems,
                inDomain, inPlan, host);
    }

    /** The failing directions a forced plan's NOT ACCEPTED comment lists; empty for an accepted plan. */
    static List<String> notAccepted(DomainXml plan) {
        for (String c : plan.topLevelComments()) {
            if (c.strip().startsWith(CompatEmitter.NOT_ACCEPTED)) {
                List<String> out = new ArrayList<>();
                c.lines().map(String::strip).filter(l -> l.startsWith("- ")).forEach(l -> out.add(l.substring(2)));
                return out.isEmpty() ? List.of("(no direction named)") : out;
            }
        }
        return List.of();
    }

    private static List<Direction> check(DomainXml domain, Fleet fleet, Profile host, LoadSettings settings,
                                         List<String> notes) {
        String cpu = domain.qemuCpuModel().orElse(null);
        String accel = domain.accel();
        if (!sameCpu(host, cpu, accel)) {
            notes.add("not checked: this host's profile is of " + describe(host) + ", the domain runs " + describe(cpu, accel));
            return List.of();
        }
        // hosts with the same profile argument are one direction
        Map<String, List<FleetHost>> bySpec = new LinkedHashMap<>();
        for (FleetHost h : fleet.hosts()) {
            bySpec.computeIfAbsent(h.spec(), k -> new ArrayList<>()).add(h);
        }
        List<Direction> out = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (List<FleetHost> group : bySpec.values()) {
            Profile src = group.get(0).profile();
            List<String> names = group.stream().map(FleetHost::name).toList();
            if (!sameCpu(src, cpu, accel)) {
                skipped.addAll(names);
                continue;
            }
            out.add(new Direction(names, src, MigrationCheck.run(src, host, settings, host.kvmValueRule())));
        }
        if (!skipped.isEmpty()) {
            notes.add("not senders of this guest (another CPU model or accelerator): " + String.join(", ", skipped));
        }
        if (out.isEmpty()) {
            notes.add("not checked: no fleet host runs " + describe(cpu, accel));
        }
        return out;
    }

    /** Whether a profile is of this CPU model and accelerator; what a profile does not record is taken as the same. */
    static boolean sameCpu(Profile p, String cpu, String accel) {
        String pc = p.provenance().cpu();
        String pa = p.provenance().accel();
        boolean cpuOk = pc == null || cpu == null || model(pc).equals(model(cpu));
        boolean accelOk = pa == null || pa.equalsIgnoreCase(accel);
        return cpuOk && accelOk;
    }

    /** {@code cortex-a57} of {@code cortex-a57,pauth=off}: features are not compared. */
    private static String model(String cpu) {
        int comma = cpu.indexOf(',');
        return (comma < 0 ? cpu : cpu.substring(0, comma)).strip().toLowerCase(Locale.ROOT);
    }

    private static String describe(Profile p) {
        return describe(p.provenance().cpu(), p.provenance().accel());
    }

    private static String describe(String cpu, String accel) {
        return "-cpu " + (cpu == null ? "(machine default)" : cpu) + " (" + (accel == null ? "any accelerator" : accel) + ")";
    }
}
