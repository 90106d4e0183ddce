package dev.regshim.plan;

import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.Semantics;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A plan's lists in the forms operators and distributions use: QEMU command-line options, a libvirt domain XML
 * fragment and a C {@code GlobalProperty} compat array for hw/arm/virt.c. (JSON is {@link PlanJson#compat}.)
 *
 * <p>Syntax, as QEMU parses it (checked against QEMU 7.2 and 10.0): each property value is one string, a
 * comma-separated list of register IDs. On a command line it goes through {@code -global}: in the
 * {@code driver=D,property=P,value=V} form QEMU's option parser reads {@code ,,} as a literal comma, so the commas in V
 * are doubled; the shorthand {@code -global D.P=V} passes V verbatim (single commas); {@code -cpu host,P=V} cannot
 * carry more than one register, because the -cpu parser splits at every comma. The properties are array properties:
 * QEMU refuses to set one twice ({@code array size property P may not be set more than once}), and aborts when two
 * compat levels of a machine type do it.
 */
public final class CompatEmitter {

    /** {@code TYPE_ARM_CPU}: a global for it applies to every ARM CPU model, {@code -cpu host} included. */
    public static final String DRIVER = "arm-cpu";
    public static final String LIBVIRT_QEMU_NS = "http://libvirt.org/schemas/domain/qemu/1.0";
    /** QemuOpts: a doubled comma is one literal comma inside a value. */
    static final String OPTS_COMMA = ",,";
    static final String C_LIST_SEPARATOR = ", ";

    private CompatEmitter() {
    }

    /** One property with its complete list. */
    public record Property(String name, RegSet registers) {
        /** The value as QEMU's string visitor reads it: {@code 0x603000000013c103,0x603000000013c512}. */
        public String value() {
            return hexList(registers, ",");
        }
    }

    /** The properties the plan sets (only those with a non-empty list), hidden first. */
    public static List<Property> properties(FleetPlan p) {
        List<Property> out = new ArrayList<>();
        Semantics s = p.semantics();
        if (!s.hasCompatProperties()) {
            return out;
        }
        if (!p.hidden().isEmpty()) {
            out.add(new Property(s.hiddenProperty(), p.hidden()));
        }
        if (!p.fake().isEmpty()) {
            out.add(new Property(s.fakeProperty(), p.fake()));
        }
        return out;
    }

    static String hexList(RegSet regs, String separator) {
        return regs.longs().mapToObj(v -> String.format("0x%016x", v)).collect(Collectors.joining(separator));
    }

    /** {@code -global} and its argument for each property, as separate argv elements (no shell quoting needed). */
    public static List<String> globalArgs(FleetPlan p) {
        List<String> out = new ArrayList<>();
        for (Property prop : properties(p)) {
            out.add("-global");
            out.add(globalArgument(prop.name(), prop.registers().longs().boxed().toList()));
        }
        return out;
    }

    /**
     * The argument of a {@code -global} setting an arm-cpu array property to these register IDs, in this order
     * (QEMU's option syntax reads ",," as a comma inside the value).
     */
    public static String globalArgument(String property, List<Long> ids) {
        return "driver=" + DRIVER + ",property=" + property + ",value=" + ids.stream()
                .map(v -> String.format("0x%016x", v)).collect(Collectors.joining(OPTS_COMMA));
    }

    // --- QEMU command line ---

    public static String qemu(FleetPlan p) {
        StringBuilder b = new StringBuilder();
        Semantics s = p.semantics();
        b.append("# regshim plan for ").append(p.settings().machine()).append(", ").append(s.label())
                .append(": QEMU command-line options\n");
        if (!s.hasCompatProperties()) {
            noProperties(b, p, "# ");
            return b.toString();
        }
        List<Property> props = properties(p);
        if (props.isEmpty()) {
            b.append("# nothing to add: every host class lists the same registers\n");
            return b.toString();
        }
        b.append("# Start every QEMU this VM runs in with them (the source and each destination): the lists are part of\n")
                .append("# the VM's configuration and must stay the same until it is powered off.\n");
        if (s == Semantics.SERIES_V1) {
            b.append("# ").append(s.hiddenProperty()).append(" / ").append(s.fakeProperty())
                    .append(" exist on KVM vCPUs only (with TCG QEMU stops: property not found).\n");
        }
        b.append("# A value is one string listing register IDs. In -global's driver=,property=,value= form QEMU's option\n")
                .append("# parser reads \",,\" as a literal comma, so the commas inside the value are doubled. (The shorthand\n")
                .append("# -global ").append(DRIVER).append(".PROPERTY=VALUE passes VALUE verbatim: single commas there. -cpu host,PROPERTY=...\n")
                .append("# cannot carry more than one register: the -cpu parser splits at every comma.)\n")
                .append("# Do not add a property your QEMU build already sets for this machine type (a compat patch): an array\n")
                .append("# property is set once (\"array size property ... may not be set more than once\").\n");
        if (s == Semantics.SERIES_V2 && p.settings().machine().compareTo(MachineType.DBGDTRTX_COMPAT) <= 0 && !p.fake().isEmpty()) {
            b.append("# The series (from v3) sets ").append(s.fakeProperty()).append(" itself for virt-10.2 and older (AArch32\n")
                    .append("# DBGDTRTX, TCG); with such a build use the compat array (--emit c), which merges both lists.\n");
        }
        b.append('\n');
        List<String> args = globalArgs(p);
        for (int i = 0; i < args.size(); i += 2) {
            b.append(args.get(i)).append(' ').append(args.get(i + 1)).append(i + 2 < args.size() ? " \\\n" : "\n");
        }
        b.append('\n').append("# What the options do on each host class:\n");
        for (HostView v : p.views()) {
            HostClass c = p.classes().get(v.classIndex());
            b.append("#   ").append(c.title()).append(": ").append(effect(p, v)).append('\n');
        }
        return b.toString();
    }

    /** What the lists do on a class: hides X; fakes Y; Z exposed by KVM. */
    public static String effect(FleetPlan p, HostView v) {
        List<String> parts = new ArrayList<>();
        Semantics s = p.semantics();
        if (!v.hiddenHere().isEmpty()) {
            parts.add("hides " + names(v.hiddenHere()));
        }
        if (!v.fakedHere().isEmpty()) {
            parts.add("fakes " + names(v.fakedHere()) + " (accepted from a stream, dropped)");
        }
        if (!v.exposedHere().isEmpty()) {
            parts.add(names(v.exposedHere()) + (s == Semantics.SERIES_V1 ? " exposed by KVM: nothing to fake" : " listed here: migrated normally"));
        }
        if (parts.isEmpty()) {
            parts.add(p.hasLists() ? "nothing here (none of the registers is listed or missing)" : "nothing");
        }
        return String.join("; ", parts) + "; sends " + v.sends() + " registers per vCPU";
    }

    private static void noProperties(StringBuilder b, FleetPlan p, String prefix) {
        Semantics s = p.semantics();
        b.append(prefix).append(s.label()).append(" has no properties to hide or fake registers: nothing to add.\n");
        List<PlanEntry> builtIn = p.entries(Action.BUILT_IN);
        if (!builtIn.isEmpty()) {
            b.append(prefix).append("Its built-in tolerances cover: ").append(builtIn.stream()
                    .map(e -> e.name() + (e.condition() != null ? " (while " + e.condition() + ")" : ""))
                    .collect(Collectors.joining(", "))).append(".\n");
        }
        List<PlanEntry> not = p.entries(Action.NOT_COVERED);
        if (!not.isEmpty()) {
            b.append(prefix).append("Not covered: ").append(not.stream().map(PlanEntry::name).collect(Collectors.joining(", ")))
                    .append(".\n");
        }
        long impossible = p.after().cells().filter(c -> !c.verdict().acceptable()).count();
        b.append(prefix).append(impossible == 0 ? "Every direction loads." : impossible + " direction(s) remain impossible (see the matrix).")
                .append('\n');
    }

    // --- libvirt ---

    /**
     * A domain XML fragment: libvirt's QEMU namespace and {@code <qemu:commandline>} arguments. Each
     * {@code <qemu:arg>} is one argv element, passed to QEMU as is (no shell). CPUs are not {@code -device}s, so
     * {@code <qemu:override>} cannot set their properties.
     */
    public static String libvirt(FleetPlan p) {
        StringBuilder b = new StringBuilder();
        Semantics s = p.semantics();
        b.append("<!-- regshim plan for ").append(p.settings().machine()).append(", ").append(s.label()).append(".\n");
        List<String> args = globalArgs(p);
        if (args.isEmpty()) {
            b.append("     Nothing to add: ").append(s.hasCompatProperties() ? "every host class lists the same registers"
                    : s.label() + " has no properties to hide or fake registers").append(". -->\n");
            return b.toString();
        }
        b.append("     Merge into the domain XML of every VM of this machine type. libvirt sends the domain XML with a\n")
                .append("     migration, so the arguments follow the VM to each destination. libvirt marks such a domain\n")
                .append("     tainted (custom-argv). Each qemu:arg is one argument: the doubled commas are for QEMU's\n")
                .append("     option parser, not for a shell. -->\n");
        b.append("<domain type='").append(p.settings().accel() == Accel.KVM ? "kvm" : "qemu")
                .append("' xmlns:qemu='").append(LIBVIRT_QEMU_NS).append("'>\n");
        b.append("  <os>\n    <type arch='aarch64' machine='").append(p.settings().machine()).append("'>hvm</type>\n  </os>\n");
        b.append("  <qemu:commandline>\n");
        for (String a : args) {
            b.append("    <qemu:arg value='").append(xmlAttr(a)).append("'/>\n");
        }
        b.append("  </qemu:commandline>\n</domain>\n");
        return b.toString();
    }

    /** Text that may stand in a single-quoted XML attribute. */
    public static String xmlAttr(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;").replace("\"", "&quot;");
    }

    // --- C ---

    /**
     * A compat array for hw/arm/virt.c with ONE complete list per property for the machine type, and the helper
     * that installs it replacing whatever a newer machine version's options added for the same property, so that no
     * array property is set twice. Series v1's properties exist on KVM vCPUs only, so its entries are optional (TCG
     * guests of the machine type skip them instead of aborting). With series v2 and virt-10.2 or older the list merges
     * the series' own DBGDTRTX entry, which the replacement would otherwise drop.
     */
    public static String c(FleetPlan p) {
        StringBuilder b = new StringBuilder();
        Semantics s = p.semantics();
        MachineType m = p.settings().machine();
        String array = "arm_virt_reg_compat_" + m.symbol();
        b.append("/*\n * regshim plan for ").append(m).append(" and older machine types, ").append(s.label())
                .append(" (").append(s.description()).append(").\n");
        b.append(" * Fleet: ").append(p.fleet().hosts().size()).append(" hosts in ").append(p.classes().size())
                .append(" classes; baseline ").append(p.classes().get(p.baseline().classIndex()).label()).append(".\n");
        if (!s.hasCompatProperties()) {
            b.append(" *\n");
            StringBuilder nb = new StringBuilder();
            noProperties(nb, p, " * ");
            b.append(nb).append(" */\n");
            return b.toString();
        }
        List<Property> props = new ArrayList<>(properties(p));
        Optional<RegId> inherited = Optional.empty();
        if (s == Semantics.SERIES_V2 && m.compareTo(MachineType.DBGDTRTX_COMPAT) <= 0 && !p.fake().isEmpty()
                && !p.fake().contains(RegisterClassifier.DBGDTRTX)) {
            inherited = Optional.of(RegisterClassifier.DBGDTRTX);
            props.set(props.size() - 1, new Property(s.fakeProperty(), p.fake().union(RegSet.ofIds(RegisterClassifier.DBGDTRTX))));
        }
        if (props.isEmpty()) {
            b.append(" * Nothing to add: every host class lists the same registers.\n */\n");
            return b.toString();
        }
        b.append(" *\n")
                .append(" * ").append(props.stream().map(Property::name).collect(Collectors.joining(" and ")))
                .append(props.size() > 1 ? " are array properties" : " is an array property").append(": QEMU lets each\n")
                .append(" * be set once per object and aborts on a second setting (\"array size property ... may not be set\n")
                .append(" * more than once\"), which happens when the compat arrays of two machine versions both name it: the\n")
                .append(" * options of an older version run those of the newer one first. So each list below is complete for ").append(m)
                .append(",\n * and arm_virt_set_reg_compat() replaces an entry a newer version added for the same property\n")
                .append(" * instead of adding a second one. Never compat_props_add() these properties directly.\n */\n");
        b.append("static GlobalProperty ").append(array).append("[] = {\n");
        for (Property prop : props) {
            b.append("    /* ").append(comment(p, prop, inherited)).append(" */\n");
            b.append("    { TYPE_ARM_CPU, \"").append(prop.name()).append("\",\n      \"")
                    .append(hexList(prop.registers(), C_LIST_SEPARATOR)).append('"')
                    .append(s == Semantics.SERIES_V1 ? ", .optional = true" : "").append(" },\n");
        }
        b.append("};\n\n");
        b.append("/* Installs @props in @mc's compat properties, each property once: drops what a newer machine version set. */\n")
                .append("static void arm_virt_set_reg_compat(MachineClass *mc, GlobalProperty *props, size_t n)\n")
                .append("{\n")
                .append("    for (size_t k = 0; k < n; k++) {\n")
                .append("        for (guint i = 0; i < mc->compat_props->len; i++) {\n")
                .append("            GlobalProperty *old = g_ptr_array_index(mc->compat_props, i);\n")
                .append("            if (!strcmp(old->driver, props[k].driver) && !strcmp(old->property, props[k].property)) {\n")
                .append("                g_ptr_array_remove_index(mc->compat_props, i);\n")
                .append("                break;\n")
                .append("            }\n")
                .append("        }\n")
                .append("        g_ptr_array_add(mc->compat_props, &props[k]);\n")
                .append("    }\n")
                .append("}\n\n");
        b.append("/*\n * Wiring: call it last in virt_machine_").append(m.symbol()).append("_options() in hw/arm/virt.c:\n *\n")
                .append(" * static void virt_machine_").append(m.symbol()).append("_options(MachineClass *mc)\n")
                .append(" * {\n")
                .append(" *     ...as today: the next newer version's options, then this version's compat_props_add()...\n")
                .append(" *     arm_virt_set_reg_compat(mc, ").append(array).append(", G_N_ELEMENTS(").append(array).append("));\n")
                .append(" * }\n *\n")
                .append(" * Older machine types inherit the lists through the chain. An older version that needs other\n")
                .append(" * registers gets its own complete array (this plan run with --machine for it) and the same call.\n")
                .append(" */\n");
        return b.toString();
    }

    private static String comment(FleetPlan p, Property prop, Optional<RegId> inherited) {
        List<String> parts = new ArrayList<>();
        for (RegId id : prop.registers()) {
            if (inherited.isPresent() && inherited.get().equals(id)) {
                parts.add("AArch32 DBGDTRTX (the series' virt-10.2 entry, kept)");
                continue;
            }
            Optional<PlanEntry> e = p.entry(id);
            String n = RegCatalog.get().name(id);
            parts.add(e.map(x -> n + (x.safety() == Safety.CONDITIONAL ? " (conditional: " + x.condition() + ")" : " (safe)"))
                    .orElse(n));
        }
        return String.join(", ", parts);
    }

    // --- a plan that is not accepted ---

    /** How a forced emission's comment starts; the libvirt hook refuses a plan file whose comment does. */
    public static final String NOT_ACCEPTED = "NOT ACCEPTED:";

    /**
     * The warning a forced emission of a rejected plan starts with, in the form's comment syntax: NOT ACCEPTED and
     * each failing direction or chain problem. Empty for an accepted plan. JSON carries the same in
     * {@link PlanJson#compat}'s {@code accepted} and {@code not_accepted}.
     */
    public static String notAcceptedComment(FleetPlan p, String form) {
        if (p.accepted()) {
            return "";
        }
        List<String> lines = new ArrayList<>();
        lines.add(NOT_ACCEPTED + " this plan leaves " + p.rejections().size() + " problem(s); deploying it breaks these migrations:");
        p.rejections().forEach(r -> lines.add("  - " + brief(r)));
        lines.add("Emitted only because of --force; regshim plan without -q shows each problem in full.");
        StringBuilder b = new StringBuilder();
        switch (form) {
            case "libvirt":
                b.append("<!--\n");
                // "--" may not appear inside an XML comment
                lines.forEach(l -> b.append("  ").append(xmlCommentText(l)).append('\n'));
                b.append("-->\n");
                break;
            case "c":
                b.append("/*\n");
                lines.forEach(l -> b.append(" * ").append(l.replace("*/", "* /")).append('\n'));
                b.append(" */\n");
                break;
            default:
                lines.forEach(l -> b.append("# ").append(l).append('\n'));
                break;
        }
        return b.toString();
    }

    /** Characters of a rejection shown in a comment or on standard error; the plan report has the full text. */
    static final int BRIEF_CHARS = 240;

    /** A rejection cut to {@link #BRIEF_CHARS}: the direction, its verdict and the start of why. */
    public static String brief(String rejection) {
        return rejection.length() <= BRIEF_CHARS ? rejection : rejection.substring(0, BRIEF_CHARS - 3) + "...";
    }

    /** Text that may stand inside an XML comment: no "--" (and so no "-->"). */
    static String xmlCommentText(String s) {
        String t = s;
        while (t.contains("--")) {
            t = t.replace("--", "- -");
        }
        return t;
    }

    public static String names(RegSet set) {
        List<String> n = new ArrayList<>();
        set.forEach(id -> n.add(RegCatalog.get().name(id)));
        return String.join(", ", n);
    }
}
