package dev.regshim.explain;

import dev.regshim.cpreg.Semantics;
import dev.regshim.explain.Finding.Kind;
import dev.regshim.explain.Finding.NamedRegister;
import dev.regshim.explain.LogEvent.Signal;
import dev.regshim.plan.CompatEmitter;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns what a QEMU log says into findings: which registers, why (one sentence), and what to do. Placeholders in
 * the fixes: {@code SAVED} is the stream the source wrote (or a stream it saves), {@code DEST} a profile of the
 * destination (a stream it saved, a {@code profile capture}, {@code kernel:VERSION}).
 */
public final class Explainer {

    private Explainer() {
    }

    public static Explanation explain(QemuLog log) {
        Map<Signal, List<LogEvent>> by = new EnumMap<>(Signal.class);
        for (LogEvent e : log.events()) {
            by.computeIfAbsent(e.signal(), k -> new ArrayList<>()).add(e);
        }
        List<Finding> out = new ArrayList<>();
        registers(by, out);
        lengths(by, out);
        aborts(by, out);
        kvm(by, out);
        devices(by, out);
        errnos(by, out);
        out.sort((a, b) -> a.fatal() != b.fatal() ? (a.fatal() ? -1 : 1) : Integer.compare(a.firstLine(), b.firstLine()));
        return new Explanation(out, dialect(by), log);
    }

    private static void registers(Map<Signal, List<LogEvent>> by, List<Finding> out) {
        List<LogEvent> unknown = get(by, Signal.UNKNOWN_ON_DESTINATION);
        if (!unknown.isEmpty()) {
            List<NamedRegister> regs = named(unknown);
            out.add(finding(Kind.UNKNOWN_REGISTERS, true, regs, unknown,
                    "The source's vCPU has " + count(regs) + " the destination's vCPU does not know, and QEMU 11.1 fails "
                            + "the migration on every such register none of its tolerances covers.",
                    List.of(rewriteHide(regs),
                            "regshim check --from SAVED --to DEST   # says whether their values are inert (safe to drop)",
                            "regshim plan --host A=PROFILE --host B=PROFILE ...   # a register set common to the fleet")));
        }
        List<LogEvent> unexpected = get(by, Signal.SERIES_UNEXPECTED);
        if (!unexpected.isEmpty()) {
            List<NamedRegister> regs = named(unexpected);
            Semantics s = unexpected.stream().anyMatch(e -> e.text().contains("kvm_arm_cpu_post_load"))
                    ? Semantics.SERIES_V1 : Semantics.SERIES_V2;
            out.add(finding(Kind.SERIES_UNEXPECTED, true, regs, unexpected,
                    "The source sent " + count(regs) + " the destination's vCPU does not have; QEMU with the "
                            + "hidden/fake series fails unless they are faked on the destination or hidden on both ends.",
                    List.of(global(s.fakeProperty(), regs) + "   # on the destination: accept them, drop their values",
                            global(s.hiddenProperty(), regs) + "   # or on both ends: the source stops sending them",
                            rewriteHide(regs))));
        }
        List<LogEvent> missing = new ArrayList<>(get(by, Signal.MISSING_IN_STREAM));
        get(by, Signal.SERIES_MISSING).stream().filter(e -> !e.word(0).equals("as expected")).forEach(missing::add);
        if (!missing.isEmpty()) {
            List<NamedRegister> regs = named(missing);
            out.add(finding(Kind.MISSING_REGISTERS, false, regs, missing,
                    "The destination's vCPU has " + count(regs) + " the stream does not carry; QEMU keeps their reset "
                            + "values (a warning, not an error).",
                    List.of("nothing to do if the guest does not use them; otherwise migrate between hosts with the same "
                            + "register set: regshim plan --host A=PROFILE --host B=PROFILE ...")));
        }
        List<LogEvent> tolerated = new ArrayList<>(get(by, Signal.TOLERATED));
        get(by, Signal.SERIES_MISSING).stream().filter(e -> e.word(0).equals("as expected")).forEach(tolerated::add);
        if (!tolerated.isEmpty()) {
            List<NamedRegister> regs = named(tolerated);
            out.add(finding(Kind.TOLERATED_REGISTERS, false, regs, tolerated,
                    "QEMU accepted " + count(regs) + " present on one end only, as its tolerances (11.1) or the "
                            + "configured fake/hidden lists (the series) allow.", List.of()));
        }
        List<LogEvent> lengths = get(by, Signal.SERIES_LENGTHS);
        if (!lengths.isEmpty()) {
            LogEvent e = lengths.get(0);
            out.add(finding(Kind.REGISTER_COUNTS, false, List.of(), lengths, "The destination's vCPU lists "
                    + e.number(0) + " registers and the stream carries " + e.number(1) + ".", List.of()));
        }
    }

    private static void lengths(Map<Signal, List<LogEvent>> by, List<Finding> out) {
        List<LogEvent> check = get(by, Signal.LENGTH_CHECK);
        List<LogEvent> field = get(by, Signal.LENGTH_FIELD);
        if (check.isEmpty() && field.isEmpty()) {
            return;
        }
        String counts = "";
        if (!check.isEmpty()) {
            long in = check.get(0).number(0);
            long local = check.get(0).number(1);
            counts = " (" + in + " sent, " + local + " on the destination: " + (in - local) + " more)";
        }
        List<LogEvent> evidence = new ArrayList<>(check);
        evidence.addAll(field);
        out.add(finding(Kind.TOO_MANY_REGISTERS, true, List.of(), evidence,
                "The source's vCPU has more registers than the destination's" + counts + ", and QEMU 7.2-11.0 refuses "
                        + "such a stream before looking at which registers they are (the log names none).",
                List.of("regshim check --from SAVED --to DEST   # names the registers and whether they are safe to drop",
                        "regshim rewrite SAVED OUT --to DEST   # drops the registers the destination lacks, when their values are inert",
                        "regshim plan --host A=PROFILE --host B=PROFILE ...   # a register set common to the fleet",
                        "a destination QEMU 11.1 or later has no length check (it names each register instead)")));
    }

    private static void aborts(Map<Signal, List<LogEvent>> by, List<Finding> out) {
        List<LogEvent> asserts = get(by, Signal.ABORT);
        List<LogEvent> status = get(by, Signal.ABORTED_PROCESS);
        if (asserts.isEmpty() && status.isEmpty()) {
            return;
        }
        List<LogEvent> evidence = new ArrayList<>(asserts);
        evidence.addAll(status);
        if (!asserts.isEmpty() && asserts.get(0).word(1).equals("first_elem || !n_elems || !size")) {
            out.add(finding(Kind.ABORT, true, List.of(), evidence,
                    "The destination QEMU aborted (SIGABRT, exit 134) loading a cpu subsection into state its CPU "
                            + "model never created: QEMU 11.1 sends cpu/wfxt-timer for every CPU, and QEMU 10.0 has "
                            + "no WFxT timer for a CPU without FEAT_WFxT.",
                    List.of("migrate to a destination QEMU 11.1 or later, or use a CPU model with FEAT_WFxT on both ends",
                            "regshim inspect SAVED   # lists the cpu subsections the stream carries",
                            "regshim check --from SAVED --to DEST   # predicts the abort before a migration")));
            return;
        }
        String where = asserts.isEmpty() ? "" : " in " + asserts.get(0).word(0) + " (assertion `"
                + asserts.get(0).word(1) + "')";
        out.add(finding(Kind.ABORT, true, List.of(), evidence,
                "The destination QEMU aborted (SIGABRT, exit 134)" + where + " while loading: a state it cannot take "
                        + "reached an internal check, usually a device or subsection of a newer release.",
                List.of("regshim inspect SAVED   # the sections and subsections the stream carries",
                        "regshim check --from SAVED --to DEST   # compares them with the destination's")));
    }

    private static void kvm(Map<Signal, List<LogEvent>> by, List<Finding> out) {
        List<LogEvent> put = get(by, Signal.PUT_FAILED);
        List<LogEvent> set = get(by, Signal.COULD_NOT_SET);
        if (put.isEmpty() && set.isEmpty()) {
            return;
        }
        List<LogEvent> evidence = new ArrayList<>(set);
        evidence.addAll(put);
        List<NamedRegister> regs = named(set);
        String values = set.stream().filter(e -> !e.registers().isEmpty()).limit(8)
                .map(e -> new NamedRegister(e.registers()).name() + String.format(" 0x%x (KVM keeps 0x%x)", e.number(0), e.number(1)))
                .collect(Collectors.joining(", "));
        String errno = put.isEmpty() ? "" : " (" + put.get(0).word(0) + ")";
        out.add(finding(Kind.KVM_REFUSED, true, regs, evidence,
                "KVM on the destination refused a register value from the stream" + errno
                        + (values.isEmpty() ? "" : ": " + values)
                        + ", so QEMU exited: the destination's CPU or kernel cannot take the source's value.",
                List.of("regshim check --from SAVED --to DEST   # with a kernel capture of the destination: names each value conflict",
                        "use CPU models (or host kernels) that agree on the value; regshim rewrite SAVED OUT --to DEST "
                                + "--policy tolerant changes an ID register only where the change is safe for the guest")));
    }

    private static void devices(Map<Signal, List<LogEvent>> by, List<Finding> out) {
        for (LogEvent e : distinct(get(by, Signal.UNKNOWN_SECTION))) {
            boolean cpu = e.word(0).equals("cpu") || e.word(0).equals("cpu_common");
            out.add(finding(Kind.UNKNOWN_SECTION, true, List.of(), List.of(e),
                    "The stream carries device '" + e.word(0) + "' instance " + e.number(0) + ", which the destination "
                            + "does not have: its VM configuration differs from the source's.",
                    List.of(cpu ? "start the destination with the source's -smp (vCPU count)"
                            : "start the destination with the source's devices (the same QEMU command line or libvirt domain XML)")));
        }
        for (LogEvent e : distinct(get(by, Signal.NOT_A_STREAM))) {
            out.add(finding(Kind.NOT_A_STREAM, true, List.of(), List.of(e),
                    "The destination read something that is not a QEMU migration stream (another file, a libvirt save "
                            + "image or a compressed file given to -incoming, or a stream read from the wrong offset).",
                    List.of("regshim inspect FILE   # says what the file is; restore a libvirt save image with virsh restore")));
        }
        for (LogEvent e : distinct(get(by, Signal.MACHINE_MISMATCH))) {
            out.add(finding(Kind.MACHINE_TYPE, true, List.of(), List.of(e),
                    "The stream was saved with machine type '" + e.word(0) + "' and the destination runs '" + e.word(1)
                            + "'; QEMU loads a stream only into the machine type it was saved with.",
                    List.of("start the destination with -machine " + e.word(0) + " (libvirt: <type machine='" + e.word(0)
                            + "'>); a QEMU older than that machine type cannot take the stream: upgrade it")));
        }
        List<LogEvent> ram = new ArrayList<>(get(by, Signal.UNKNOWN_RAMBLOCK));
        ram.addAll(get(by, Signal.RAM_SIZE_MISMATCH));
        for (LogEvent e : distinct(ram)) {
            String what = e.signal() == Signal.UNKNOWN_RAMBLOCK
                    ? "The stream carries RAM block '" + e.word(0) + "', which the destination does not have"
                    : String.format("RAM block '%s' is 0x%x bytes in the stream and 0x%x on the destination", e.word(0),
                    e.number(0), e.number(1));
            out.add(finding(Kind.RAM, true, List.of(), List.of(e), what + ": the memory configuration differs.",
                    List.of("start the destination with the source's -m and memory devices (flash, ROMs)")));
        }
        List<LogEvent> footers = get(by, Signal.FOOTER);
        if (!footers.isEmpty()) {
            // 11.1 prints the device's name, then the section id on its chained line: one finding
            LogEvent e = footers.get(0);
            out.add(finding(Kind.DEVICE_LAYOUT, true, List.of(), footers,
                    "The destination read " + e.word(0) + " with another layout than the source wrote: the two QEMU "
                            + "releases (or CPU options) disagree on that device's fields, or the stream was altered.",
                    List.of("regshim inspect SAVED   # the device's fields and subsections as the stream describes them",
                            "regshim check --from SAVED --to DEST")));
        }
        for (LogEvent e : distinct(get(by, Signal.UNSUPPORTED_VERSION))) {
            out.add(finding(Kind.SECTION_VERSION, true, List.of(), List.of(e),
                    "Device '" + e.word(0) + "' is version " + e.number(0) + " in the stream but only " + e.number(1)
                            + " on the destination: the destination's QEMU is older than the source's.",
                    List.of("use a destination QEMU at least as new as the source's, or an older machine type on both ends")));
        }
        for (LogEvent e : distinct(get(by, Signal.UNKNOWN_COMMAND))) {
            boolean switchover = e.number(0) == 0xb;
            out.add(finding(Kind.UNKNOWN_COMMAND, true, List.of(), List.of(e),
                    switchover ? "The destination QEMU (older than 10.0) does not know the SWITCHOVER_START command "
                            + "that QEMU 10.0 and later send for machine types virt-10.0 and newer."
                            : String.format("The destination QEMU does not know migration command 0x%x: the source's QEMU is newer.", e.number(0)),
                    List.of(switchover ? "save with machine type virt-9.2 or older (no SWITCHOVER_START), or upgrade the destination"
                            : "use a destination QEMU at least as new as the source's")));
        }
    }

    /** The errno of the last line, when no line before it said more. */
    private static void errnos(Map<Signal, List<LogEvent>> by, List<Finding> out) {
        List<LogEvent> failed = get(by, Signal.LOAD_FAILED);
        List<LogEvent> device = get(by, Signal.DEVICE_FAILED);
        boolean explainedFatal = out.stream().anyMatch(Finding::fatal);
        if (explainedFatal) {
            return;
        }
        String dev = device.isEmpty() ? "" : device.get(0).word(0);
        List<LogEvent> evidence = new ArrayList<>(device);
        evidence.addAll(failed);
        String errno = failed.isEmpty() ? "" : failed.get(0).word(0);
        if (errno.equals("Operation not permitted") && (dev.equals("cpu") || dev.isEmpty())) {
            out.add(finding(Kind.UNNAMED_REGISTER, true, List.of(), evidence,
                    "The destination's vCPU refused the incoming registers: the source sent one it does not have "
                            + "(or, under TCG, a constant such as MIDR differs), and stock QEMU fails with EPERM "
                            + "without naming it.",
                    List.of("regshim check --from SAVED --to DEST   # names the registers and whether they are safe to drop",
                            "regshim rewrite SAVED OUT --to DEST   # drops them when their values are inert",
                            "regshim plan --host A=PROFILE --host B=PROFILE ...   # a register set common to the fleet")));
        } else if (errno.equals("No such file or directory")) {
            out.add(finding(Kind.UNKNOWN_SUBSECTION, true, List.of(), evidence,
                    "The stream carries a subsection of " + (dev.isEmpty() ? "a device" : "device '" + dev + "'")
                            + " the destination does not know (QEMU 7.2 reports an unknown subsection as ENOENT): the "
                            + "source's release or CPU options send state the destination's cannot take.",
                    List.of("regshim inspect SAVED   # lists the subsections the stream carries",
                            "use a destination QEMU at least as new as the source's, or turn the feature off on the source's CPU model")));
        } else if (!get(by, Signal.POST_LOAD_FAILED).isEmpty()) {
            // the post-load line is the evidence too: a log cut before 'load of migration failed' has only it
            List<LogEvent> postLoad = new ArrayList<>(evidence);
            postLoad.addAll(get(by, Signal.POST_LOAD_FAILED));
            out.add(finding(Kind.CPU_POST_LOAD, true, List.of(), postLoad,
                    "The destination's cpu post_load refused the registers (QEMU 11.1); the lines before it, if kept, "
                            + "name them.",
                    List.of("paste the whole log, warnings included, or run regshim check --from SAVED --to DEST")));
        } else if (!failed.isEmpty() || !device.isEmpty()) {
            String cause = failed.isEmpty() ? "" : failed.get(0).word(1);
            out.add(finding(Kind.LOAD_FAILED, true, List.of(), evidence,
                    "The destination failed to load " + (dev.isEmpty() ? "the stream" : "device '" + dev + "'")
                            + (errno.isEmpty() ? "" : " (" + errno + ")") + (cause.isEmpty() ? "" : ": " + cause)
                            + "; the log holds no line regshim can say more about.",
                    List.of("regshim check --from SAVED --to DEST   # models the load and names what fails")));
        }
    }

    private static String dialect(Map<Signal, List<LogEvent>> by) {
        Set<String> d = new LinkedHashSet<>();
        if (!get(by, Signal.UNKNOWN_ON_DESTINATION).isEmpty() || !get(by, Signal.MISSING_IN_STREAM).isEmpty()
                || !get(by, Signal.TOLERATED).isEmpty()) {
            d.add("QEMU 11.1 or later (handle_cpreg lines)");
        }
        if (get(by, Signal.LOAD_FAILED).stream().anyMatch(e -> !e.word(1).isEmpty())) {
            d.add("QEMU 11.1 or later (one chained error line)");
        } else if (!get(by, Signal.LOAD_FAILED).isEmpty()) {
            d.add("QEMU 7.2-11.0 (one line per layer)");
        }
        if (!get(by, Signal.SERIES_UNEXPECTED).isEmpty() || !get(by, Signal.SERIES_MISSING).isEmpty()
                || !get(by, Signal.SERIES_LENGTHS).isEmpty()) {
            d.add("QEMU with the hidden/fake register series");
        }
        if (get(by, Signal.LOAD_FAILED).stream().anyMatch(e -> e.word(0).equals("No such file or directory"))) {
            d.add("QEMU 7.2 (ENOENT for an unknown subsection)");
        }
        if (!get(by, Signal.COULD_NOT_SET).isEmpty()) {
            d.add("QEMU 10.2 or later (names the register KVM refused)");
        }
        return String.join("; ", d);
    }

    private static Finding finding(Kind kind, boolean fatal, List<NamedRegister> regs, List<LogEvent> evidence,
                                   String cause, List<String> fixes) {
        LogEvent first = evidence.stream().min((a, b) -> Integer.compare(a.line(), b.line())).orElseThrow();
        return new Finding(kind, fatal, regs, cause, fixes, first.line(), first.text());
    }

    /** Each register (or bank pair) once, in log order. */
    private static List<NamedRegister> named(List<LogEvent> events) {
        Map<List<RegId>, NamedRegister> m = new LinkedHashMap<>();
        for (LogEvent e : events) {
            if (!e.registers().isEmpty()) {
                m.putIfAbsent(e.registers(), new NamedRegister(e.registers()));
            }
        }
        return new ArrayList<>(m.values());
    }

    private static List<LogEvent> distinct(List<LogEvent> events) {
        Map<List<Object>, LogEvent> m = new LinkedHashMap<>();
        for (LogEvent e : events) {
            m.putIfAbsent(List.of(e.signal(), e.words(), e.numbers()), e);
        }
        return new ArrayList<>(m.values());
    }

    private static String count(List<NamedRegister> regs) {
        return regs.size() == 1 ? "a register (" + regs.get(0).name() + ")" : regs.size() + " registers";
    }

    private static String rewriteHide(List<NamedRegister> regs) {
        String names = regs.stream().flatMap(r -> r.candidates().stream()).map(Explainer::optionName)
                .distinct().collect(Collectors.joining(","));
        return "regshim rewrite SAVED OUT --to DEST --hide " + names
                + "   # drops them from the saved stream; refuses while a value is live unless --policy allows it";
    }

    /** A register as a comma-separated option takes it: its name, or its hex ID when it has none. */
    private static String optionName(RegId id) {
        RegCatalog cat = RegCatalog.get();
        String name = cat.name(id);
        return name.equals(cat.encoding(id)) ? id.hex() : name;
    }

    /** A {@code -global} option setting a series property to these registers (QEMU reads ",," as a comma). */
    private static String global(String property, List<NamedRegister> regs) {
        return "-global " + CompatEmitter.globalArgument(property, regs.stream().flatMap(r -> r.candidates().stream())
                .map(RegId::value).distinct().toList());
    }

    private static List<LogEvent> get(Map<Signal, List<LogEvent>> by, Signal s) {
        return by.getOrDefault(s, List.of());
    }
}
