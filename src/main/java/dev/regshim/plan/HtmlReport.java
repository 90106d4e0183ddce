package dev.regshim.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A self-contained HTML page (inline CSS and JS, nothing fetched) for a plan: the migration matrices before and after,
 * colour-coded, where a click on a cell (or its tooltip) shows the registers involved, QEMU's lines and the fix; the
 * plan's entries; what the lists do on each host class; and the emitted configuration. {@code #cell=after-0-1} in the
 * URL opens that cell on load, so a report link can point at one direction.
 */
public final class HtmlReport {

    /** Cell colours, also used by the tests that look at a rendered screenshot. */
    public static final String LOADS_COLOUR = "#43a047";
    public static final String CONDITIONAL_COLOUR = "#ffb300";
    public static final String LOSS_COLOUR = "#8e24aa";
    public static final String FAILS_COLOUR = "#e53935";
    private static final String NONE_COLOUR = "#e0e0e0";
    /** Registers per cell kept in the page; the popup says how many there are in all. */
    private static final int MAX_REGISTERS_PER_CELL = 24;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private HtmlReport() {
    }

    public static String render(FleetPlan p) {
        StringBuilder b = new StringBuilder(1 << 16);
        String title = "regshim plan: " + p.settings().machine() + ", " + p.semantics().label();
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").append(esc(title))
                .append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        header(b, p);
        b.append("<section id=\"matrices\">\n");
        matrix(b, p, p.before(), "before", "Before: " + p.before().title());
        matrix(b, p, p.after(), "after", "After: " + p.after().title());
        b.append("<p class=\"hint\">Click a cell (or hover over it) for the registers involved, QEMU's lines and the fix.</p>\n");
        b.append("</section>\n");
        b.append("<div id=\"popup\" hidden><button type=\"button\" id=\"popup-close\" aria-label=\"close\">&times;</button>"
                + "<div id=\"popup-body\"></div></div>\n");
        entries(b, p);
        hosts(b, p);
        chains(b, p);
        config(b, p);
        b.append("<script type=\"application/json\" id=\"cells-data\">").append(cellsJson(p)).append("</script>\n");
        b.append("<script>\n").append(JS).append("</script>\n</body>\n</html>\n");
        return b.toString();
    }

    private static void header(StringBuilder b, FleetPlan p) {
        b.append("<header>\n<h1>regshim fleet plan</h1>\n");
        b.append("<p id=\"verdict\" class=\"").append(p.accepted() ? "accepted" : "rejected").append("\">")
                .append(p.accepted() ? "Plan accepted: every direction loads after the plan"
                        : "Plan NOT accepted: " + p.rejections().size() + " problem(s) remain")
                .append("</p>\n<dl>\n");
        dt(b, "machine type", p.settings().machine().toString());
        dt(b, "QEMU", p.semantics().label() + " (" + p.semantics().description() + "), " + p.settings().accel().label());
        dt(b, "fleet", p.fleet().hosts().size() + " hosts in " + p.classes().size() + " classes (hosts with identical profiles)");
        dt(b, "baseline", p.baseline().why());
        b.append("</dl>\n");
        if (!p.accepted()) {
            b.append("<ul id=\"rejections\">\n");
            p.rejections().stream().limit(50).forEach(r -> b.append("<li>").append(esc(r)).append("</li>\n"));
            b.append("</ul>\n");
        }
        b.append("<p class=\"legend\"><span class=\"cell loads\">loads</span> <span class=\"cell conditional\">loads while a "
                + "condition holds</span> <span class=\"cell loss\">loads but loses state</span> <span class=\"cell fails\">fails"
                + "</span></p>\n</header>\n");
    }

    private static void dt(StringBuilder b, String k, String v) {
        b.append("<dt>").append(esc(k)).append("</dt><dd>").append(esc(v)).append("</dd>\n");
    }

    private static void matrix(StringBuilder b, FleetPlan p, Matrix m, String id, String caption) {
        List<HostClass> cs = p.classes();
        b.append("<h2>").append(esc(caption)).append("</h2>\n");
        b.append("<p class=\"counts\">").append(m.count(CellVerdict.LOADS)).append(" load, ")
                .append(m.count(CellVerdict.CONDITIONAL)).append(" conditional, ").append(m.count(CellVerdict.LOSS))
                .append(" lose state, ").append(m.count(CellVerdict.FAILS)).append(" fail</p>\n");
        b.append("<table class=\"matrix\" id=\"matrix-").append(id).append("\">\n<tr><th class=\"corner\">from \\ to</th>");
        for (HostClass c : cs) {
            b.append("<th title=\"").append(esc(hostList(c))).append("\">").append(esc(c.title())).append("</th>");
        }
        b.append("</tr>\n");
        for (HostClass from : cs) {
            b.append("<tr><th title=\"").append(esc(hostList(from))).append("\">").append(esc(from.title())).append("</th>");
            for (HostClass to : cs) {
                Cell c = m.cell(from.index(), to.index());
                if (c == null) {
                    b.append("<td class=\"cell none\">&middot;</td>");
                    continue;
                }
                String key = id + "-" + from.index() + "-" + to.index();
                b.append("<td class=\"cell ").append(c.verdict().cssClass()).append("\" id=\"cell-").append(key)
                        .append("\" data-cell=\"").append(key).append("\" tabindex=\"0\" title=\"")
                        .append(esc(tooltip(c))).append("\">").append(esc(c.verdict().shortText())).append("</td>");
            }
            b.append("</tr>\n");
        }
        b.append("</table>\n");
    }

    private static String hostList(HostClass c) {
        String hosts = c.hosts().stream().limit(20).collect(Collectors.joining(", "));
        return c.describe() + ": " + hosts + (c.size() > 20 ? ", ... (" + c.size() + " hosts)" : "");
    }

    private static String tooltip(Cell c) {
        String regs = c.involved().stream().limit(8).map(Involved::name).collect(Collectors.joining(", "));
        return c.headline() + (regs.isEmpty() ? "" : "\n" + regs + (c.involved().size() > 8 ? ", ..." : ""));
    }

    private static void entries(StringBuilder b, FleetPlan p) {
        b.append("<section id=\"entries\">\n<h2>Registers not every host lists</h2>\n");
        if (p.entries().isEmpty()) {
            b.append("<p>None: every host class lists the same registers.</p>\n</section>\n");
            return;
        }
        b.append("<table class=\"list\">\n<tr><th>register</th><th>ID</th><th>action</th><th>safety</th><th>listed by</th>"
                + "<th>why</th></tr>\n");
        RegisterClassifier names = new RegisterClassifier(p.classes(), List.of());
        for (PlanEntry e : p.entries()) {
            b.append("<tr class=\"").append(e.safety().label()).append("\"><td>").append(esc(e.name())).append("</td><td><code>")
                    .append(e.id().hex()).append("</code></td><td>").append(esc(e.action().label())).append("</td><td>")
                    .append(esc(e.safety().label())).append("</td><td>").append(esc(names.labels(e.listedBy())))
                    .append("</td><td>").append(esc(e.classification().reason()));
            if (e.condition() != null) {
                b.append("<br><b>condition:</b> ").append(esc(e.condition()));
            }
            if (e.classification().remedy() != null) {
                b.append("<br><b>do instead:</b> ").append(esc(e.classification().remedy()));
            }
            b.append("</td></tr>\n");
        }
        b.append("</table>\n</section>\n");
    }

    private static void hosts(StringBuilder b, FleetPlan p) {
        b.append("<section id=\"hosts\">\n<h2>Per host: what the lists do</h2>\n<table class=\"list\">\n"
                + "<tr><th>class</th><th>hosts</th><th>profile</th><th>hidden here</th><th>faked here</th><th>sends</th></tr>\n");
        for (HostView v : p.views()) {
            HostClass c = p.classes().get(v.classIndex());
            b.append("<tr><td>").append(esc(c.label())).append("</td><td>").append(esc(String.join(", ",
                    c.hosts().subList(0, Math.min(c.size(), 20))) + (c.size() > 20 ? ", ... (" + c.size() + ")" : "")))
                    .append("</td><td>").append(esc(c.describe())).append("</td><td>")
                    .append(esc(CompatEmitter.names(v.hiddenHere()))).append("</td><td>")
                    .append(esc(CompatEmitter.names(v.fakedHere()))).append("</td><td>").append(v.sends()).append("</td></tr>\n");
        }
        b.append("</table>\n</section>\n");
    }

    private static void chains(StringBuilder b, FleetPlan p) {
        ChainReport r = p.chains();
        b.append("<section id=\"chains\">\n<h2>Chains of migrations</h2>\n<p>");
        if (!r.enumerated()) {
            b.append(esc(r.paths() + " paths: too many to enumerate"));
        } else {
            b.append(esc(r.paths() + " paths A -> B -> C over the host classes: " + r.pathsLoading() + " load at both hops, "
                    + r.blockedByPairs() + " contain a direction that fails pairwise, " + r.chainOnly()
                    + " fail only as a chain; " + r.modelRuns() + " second hops run on a derived VM state, " + r.reused()
                    + " first-hop states equal to a fresh start (pairwise results reused)."));
        }
        b.append("</p>\n<ul>\n");
        r.events().forEach(e -> b.append("<li>").append(esc(e.text() + " (" + e.paths() + " path(s), e.g. "
                + FleetPlanner.path(p.classes(), e.example()) + ")")).append("</li>\n"));
        b.append("</ul>\n<p class=\"why\">").append(esc(ChainReport.WHY_SUFFICIENT)).append("</p>\n</section>\n");
    }

    private static void config(StringBuilder b, FleetPlan p) {
        b.append("<section id=\"config\">\n<h2>Emitted configuration</h2>\n");
        pre(b, "QEMU command line", "config-qemu", CompatEmitter.qemu(p));
        pre(b, "libvirt domain XML", "config-libvirt", CompatEmitter.libvirt(p));
        pre(b, "C compat array (hw/arm/virt.c)", "config-c", CompatEmitter.c(p));
        try {
            pre(b, "JSON", "config-json", MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(PlanJson.compat(p)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        b.append("</section>\n");
    }

    private static void pre(StringBuilder b, String title, String id, String text) {
        b.append("<h3>").append(esc(title)).append("</h3>\n<pre id=\"").append(id).append("\">").append(esc(text)).append("</pre>\n");
    }

    private static String cellsJson(FleetPlan p) {
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode all = root.putObject("cells");
        Map<String, Integer> roles = new LinkedHashMap<>();
        addCells(all, roles, p, p.before(), "before");
        addCells(all, roles, p, p.after(), "after");
        ArrayNode roleList = root.putArray("roles");
        roles.keySet().forEach(roleList::add);
        all = root;
        try {
            // a JSON string may hold "</script>": keep the element closed where it should be
            return MAPPER.writeValueAsString(all).replace("</", "<\\/");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Cells keyed {@code before-0-1}; registers as {@code [name, id, role index, safety]} (large fleets repeat roles). */
    private static void addCells(ObjectNode all, Map<String, Integer> roles, FleetPlan p, Matrix m, String id) {
        m.cells().forEach(c -> {
            ObjectNode n = PlanJson.cell(c);
            n.put("matrix", m.title());
            n.put("from_label", p.classes().get(c.from()).title());
            n.put("to_label", p.classes().get(c.to()).title());
            ArrayNode regs = n.putArray("registers");
            c.involved().stream().limit(MAX_REGISTERS_PER_CELL).forEach(x -> regs.addArray().add(x.name()).add(x.id().hex())
                    .add(roles.computeIfAbsent(x.role(), r -> roles.size()))
                    .add(x.safety() == null ? "" : x.safety().label()));
            if (c.involved().size() > MAX_REGISTERS_PER_CELL) {
                n.put("registers_total", c.involved().size());
            }
            all.set(id + "-" + c.from() + "-" + c.to(), n);
        });
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&': b.append("&amp;"); break;
                case '<': b.append("&lt;"); break;
                case '>': b.append("&gt;"); break;
                case '"': b.append("&quot;"); break;
                case '\'': b.append("&#39;"); break;
                default: b.append(c);
            }
        }
        return b.toString();
    }

    private static final String CSS = ""
            + "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:1.5em;color:#212121;background:#fff}\n"
            + "h1{margin:0 0 .3em}h2{margin-top:1.6em;font-size:1.2em}h3{font-size:1em}\n"
            + "dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:600}dd{margin:0}\n"
            + "#verdict{font-weight:700;font-size:1.1em;padding:.4em .6em;display:inline-block;border-radius:4px}\n"
            + "#verdict.accepted{background:#e8f5e9;color:#1b5e20}#verdict.rejected{background:#ffebee;color:#b71c1c}\n"
            + "table.matrix{border-collapse:collapse;margin:.5em 0}table.matrix th,table.matrix td{border:1px solid #fff;"
            + "padding:.45em .7em;text-align:center;white-space:nowrap}table.matrix th{background:#f5f5f5;font-weight:600}\n"
            + ".cell{cursor:pointer;font-weight:600;min-width:5em;display:table-cell}span.cell{display:inline-block;padding:.2em .6em;"
            + "border-radius:3px;cursor:default}\n"
            + ".cell.loads{background:" + LOADS_COLOUR + ";color:#fff}.cell.conditional{background:" + CONDITIONAL_COLOUR
            + ";color:#212121}.cell.loss{background:" + LOSS_COLOUR + ";color:#fff}.cell.fails{background:" + FAILS_COLOUR
            + ";color:#fff}.cell.none{background:" + NONE_COLOUR + ";color:#757575;cursor:default}\n"
            + ".cell.selected{outline:3px solid #1565c0;outline-offset:-3px}\n"
            + "#popup{position:fixed;right:1.5em;top:1.5em;width:min(46em,60vw);max-height:85vh;overflow:auto;background:#fff;"
            + "border:1px solid #9e9e9e;box-shadow:0 4px 18px rgba(0,0,0,.25);padding:1em 1.2em;border-radius:6px}\n"
            + "#popup-close{float:right;font-size:1.3em;border:none;background:none;cursor:pointer}\n"
            + "#popup table{border-collapse:collapse;font-size:.9em}#popup td,#popup th{border-bottom:1px solid #eee;padding:.2em .5em;"
            + "text-align:left;vertical-align:top}\n"
            + "table.list{border-collapse:collapse;font-size:.9em}table.list th,table.list td{border-bottom:1px solid #e0e0e0;"
            + "padding:.3em .6em;text-align:left;vertical-align:top}tr.unsafe td:nth-child(4){color:#b71c1c;font-weight:700}\n"
            + "pre{background:#fafafa;border:1px solid #e0e0e0;padding:.7em;overflow:auto;font-size:.85em}\n"
            + ".hint,.counts,.why{color:#616161;font-size:.9em}code{font-size:.95em}\n";

    private static final String JS = ""
            + "(function(){\n"
            + "  var page = JSON.parse(document.getElementById('cells-data').textContent), data = page.cells, roles = page.roles;\n"
            + "  var popup = document.getElementById('popup'), body = document.getElementById('popup-body');\n"
            + "  function el(tag, text, cls){ var e = document.createElement(tag); if (text != null) e.textContent = text;"
            + " if (cls) e.className = cls; return e; }\n"
            + "  function list(title, items){ if (!items || !items.length) return; body.appendChild(el('h4', title));"
            + " var ul = el('ul'); items.forEach(function(t){ ul.appendChild(el('li', t)); }); body.appendChild(ul); }\n"
            + "  function open(key){\n"
            + "    var c = data[key]; if (!c) return;\n"
            + "    document.querySelectorAll('.cell.selected').forEach(function(x){ x.classList.remove('selected'); });\n"
            + "    var td = document.getElementById('cell-' + key); if (td) td.classList.add('selected');\n"
            + "    body.textContent = '';\n"
            + "    body.appendChild(el('h3', c.from_label + ' \\u2192 ' + c.to_label));\n"
            + "    body.appendChild(el('p', c.matrix, 'matrix-name'));\n"
            + "    body.appendChild(el('p', c.verdict.toUpperCase() + ': ' + c.headline, 'verdict ' + c.verdict));\n"
            + "    list('Why', c.problems); list('Conditions', c.conditions);\n"
            + "    if (c.registers.length){ body.appendChild(el('h4', 'Registers involved' + (c.registers_total ? ' (first '"
            + " + c.registers.length + ' of ' + c.registers_total + ')' : '')));\n"
            + "      var t = el('table'), h = el('tr'); ['register','ID','what happens','safety'].forEach(function(x){ h.appendChild(el('th', x)); });"
            + " t.appendChild(h);\n"
            + "      c.registers.forEach(function(r){ var tr = el('tr', null, 'reg'); tr.appendChild(el('td', r[0]));"
            + " tr.appendChild(el('td', r[1])); tr.appendChild(el('td', roles[r[2]])); tr.appendChild(el('td', r[3]));"
            + " t.appendChild(tr); });\n"
            + "      body.appendChild(t); }\n"
            + "    if (c.qemu_lines.length){ body.appendChild(el('h4', 'QEMU prints')); body.appendChild(el('pre', c.qemu_lines.join('\\n'))); }\n"
            + "    if (c.fix){ body.appendChild(el('h4', 'Fix')); body.appendChild(el('p', c.fix, 'fix')); }\n"
            + "    popup.hidden = false; popup.setAttribute('data-open', key);\n"
            + "  }\n"
            + "  document.querySelectorAll('td.cell[data-cell]').forEach(function(td){\n"
            + "    td.addEventListener('click', function(){ open(td.getAttribute('data-cell')); });\n"
            + "    td.addEventListener('keydown', function(e){ if (e.key === 'Enter') open(td.getAttribute('data-cell')); });\n"
            + "  });\n"
            + "  document.getElementById('popup-close').addEventListener('click', function(){ popup.hidden = true;"
            + " popup.removeAttribute('data-open'); });\n"
            + "  // #cell=after-0-1 opens that cell through its click handler, as a user would\n"
            + "  var m = /^#cell=([a-z]+-\\d+-\\d+)$/.exec(location.hash);\n"
            + "  if (m) { var td = document.getElementById('cell-' + m[1]); if (td) td.click(); else open(m[1]); }\n"
            + "})();\n";
}
