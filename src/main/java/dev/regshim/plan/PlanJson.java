package dev.regshim.plan;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.regshim.cpreg.QemuMessages;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegSet;

import java.util.List;
import java.util.Locale;

/** A plan as JSON: the compat lists ({@code regshim-compat/1}) and the whole report ({@code regshim-plan/1}). */
public final class PlanJson {

    public static final String COMPAT_FORMAT = "regshim-compat/1";
    public static final String PLAN_FORMAT = "regshim-plan/1";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PlanJson() {
    }

    /** The lists only: what a tool needs to configure QEMU. */
    public static ObjectNode compat(FleetPlan p) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("format", COMPAT_FORMAT);
        o.put("machine", p.settings().machine().toString());
        o.put("semantics", p.semantics().label());
        o.put("accel", p.settings().accel().label());
        o.put("driver", CompatEmitter.DRIVER);
        o.put("accepted", p.accepted());
        if (!p.accepted()) {
            ArrayNode why = o.putArray("not_accepted");
            p.rejections().forEach(why::add);
        }
        ArrayNode props = o.putArray("properties");
        for (CompatEmitter.Property prop : CompatEmitter.properties(p)) {
            ObjectNode n = props.addObject();
            n.put("name", prop.name());
            n.put("value", prop.value());
            ArrayNode regs = n.putArray("registers");
            for (RegId id : prop.registers()) {
                ObjectNode r = reg(id);
                p.entry(id).ifPresent(e -> {
                    r.put("safety", e.safety().label());
                    if (e.condition() != null) {
                        r.put("condition", e.condition());
                    }
                });
                regs.add(r);
            }
        }
        ArrayNode args = o.putArray("qemu_args");
        CompatEmitter.globalArgs(p).forEach(args::add);
        return o;
    }

    /** Everything: fleet, classes, entries, per-host effects, matrices, chains, verdict. */
    public static ObjectNode plan(FleetPlan p) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("format", PLAN_FORMAT);
        o.put("accepted", p.accepted());
        o.put("machine", p.settings().machine().toString());
        o.put("semantics", p.semantics().label());
        o.put("before_semantics", p.settings().before().label());
        o.put("accel", p.settings().accel().label());
        ObjectNode base = o.putObject("baseline");
        base.put("class", p.baseline().classIndex());
        base.put("auto", p.baseline().auto());
        base.put("why", p.baseline().why());
        ArrayNode hosts = o.putArray("hosts");
        for (int i = 0; i < p.fleet().hosts().size(); i++) {
            FleetHost h = p.fleet().hosts().get(i);
            hosts.addObject().put("name", h.name()).put("profile", h.spec()).put("class", p.fleet().classOf(i).index());
        }
        ArrayNode classes = o.putArray("classes");
        for (HostClass c : p.classes()) {
            ObjectNode n = classes.addObject();
            n.put("index", c.index());
            n.put("label", c.label());
            n.put("describes", c.describe());
            n.put("hosts", c.size());
            n.put("registers", c.regs().size());
            ObjectNode f = n.putObject("guest_features");
            c.features().forEach((k, v) -> f.put(k.name().toLowerCase(Locale.ROOT), v.name().toLowerCase(Locale.ROOT)));
            HostView v = p.views().get(c.index());
            n.set("hidden_here", regs(v.hiddenHere()));
            n.set("faked_here", regs(v.fakedHere()));
            n.put("sends", v.sends());
        }
        ArrayNode entries = o.putArray("entries");
        for (PlanEntry e : p.entries()) {
            ObjectNode n = reg(e.id());
            n.put("action", e.action().label());
            n.put("safety", e.safety().label());
            n.put("reason", e.classification().reason());
            if (e.condition() != null) {
                n.put("condition", e.condition());
            }
            if (e.classification().remedy() != null) {
                n.put("remedy", e.classification().remedy());
            }
            if (!e.note().isEmpty()) {
                n.put("note", e.note());
            }
            ArrayNode l = n.putArray("listed_by");
            e.listedBy().forEach(l::add);
            ArrayNode m = n.putArray("missing_from");
            e.missingFrom().forEach(m::add);
            entries.add(n);
        }
        ArrayNode diffs = o.putArray("feature_differences");
        for (FeatureDifference d : p.featureDifferences()) {
            ObjectNode n = diffs.addObject();
            n.put("feature", d.feature().title());
            n.put("id_field", d.feature().idField());
            ArrayNode w = n.putArray("with");
            d.with().forEach(w::add);
            ArrayNode wo = n.putArray("without");
            d.without().forEach(wo::add);
            n.put("remedy", d.feature().remedy());
        }
        o.set("compat", compat(p));
        o.set("before", matrix(p.before()));
        o.set("after", matrix(p.after()));
        o.set("chains", chains(p));
        ArrayNode rej = o.putArray("rejections");
        p.rejections().forEach(rej::add);
        return o;
    }

    private static ObjectNode matrix(Matrix m) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("title", m.title());
        o.put("semantics", m.settings().semantics().label());
        ArrayNode cells = o.putArray("cells");
        m.cells().forEach(c -> cells.add(cell(c)));
        return o;
    }

    static ObjectNode cell(Cell c) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("from", c.from());
        n.put("to", c.to());
        n.put("verdict", c.verdict().cssClass());
        n.put("headline", c.headline());
        strings(n.putArray("problems"), c.problems());
        strings(n.putArray("conditions"), c.conditions());
        ArrayNode inv = n.putArray("registers");
        for (Involved x : c.involved()) {
            ObjectNode r = reg(x.id());
            r.put("role", x.role());
            if (x.safety() != null) {
                r.put("safety", x.safety().label());
            }
            inv.add(r);
        }
        ArrayNode lines = n.putArray("qemu_lines");
        c.result().qemuLines().forEach(l -> lines.add(QemuMessages.PROGRAM_PREFIX + l));
        if (!c.fix().isEmpty()) {
            n.put("fix", c.fix());
        }
        return n;
    }

    private static ObjectNode chains(FleetPlan p) {
        ChainReport r = p.chains();
        ObjectNode o = MAPPER.createObjectNode();
        o.put("enumerated", r.enumerated());
        o.put("paths", r.paths());
        o.put("paths_loading", r.pathsLoading());
        o.put("blocked_by_pairs", r.blockedByPairs());
        o.put("chain_only_failures", r.chainOnly());
        o.put("states", r.states());
        o.put("model_runs", r.modelRuns());
        o.put("reused_pairwise", r.reused());
        ArrayNode ev = o.putArray("events");
        for (ChainReport.Event e : r.events()) {
            ObjectNode n = reg(e.id());
            n.put("kind", e.kind().name().toLowerCase(Locale.ROOT));
            n.put("paths", e.paths());
            n.put("example", FleetPlanner.path(p.classes(), e.example()));
            n.put("safety", e.safety().label());
            n.put("text", e.text());
            ev.add(n);
        }
        o.put("why_sufficient", ChainReport.WHY_SUFFICIENT);
        return o;
    }

    private static void strings(ArrayNode a, List<String> l) {
        l.forEach(a::add);
    }

    static ObjectNode reg(RegId id) {
        ObjectNode r = MAPPER.createObjectNode();
        r.put("id", id.hex());
        r.put("name", RegCatalog.get().name(id));
        return r;
    }

    private static ArrayNode regs(RegSet set) {
        ArrayNode a = MAPPER.createArrayNode();
        set.forEach(id -> a.add(reg(id)));
        return a;
    }
}
