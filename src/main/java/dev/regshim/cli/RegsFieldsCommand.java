package dev.regshim.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegListReader;
import dev.regshim.regs.RegParser;
import dev.regshim.regs.fields.FieldChange;
import dev.regshim.regs.fields.FieldDiff;
import dev.regshim.regs.fields.FieldKind;
import dev.regshim.regs.fields.FieldValue;
import dev.regshim.regs.fields.IdRegisterFields;
import dev.regshim.regs.fields.SafetyRule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code regshim regs fields REG VALUE [NEWVALUE]}: decode an ID register value into named fields, or compare two
 * values field by field with each change's safety rule and migration verdict. Exit 0 after a decode or when the two
 * values are equal, 1 when they differ (whether or not the change is safe: see the verdict), 2 on bad input.
 */
@Command(name = "fields", mixinStandardHelpOptions = true,
        description = {"Decode a register value into named fields; with two values, diff them field by field with the",
            "safe direction of each change (source = first value, destination = second).",
            "Exit 0: decoded / values equal; 1: values differ (see the verdict); 2: bad input."})
final class RegsFieldsCommand implements Callable<Integer> {

    private static final String ARROW = " \u2192 ";

    @Spec
    CommandSpec spec;
    @Parameters(index = "0", paramLabel = "REG", description = "register: ID_AA64ISAR1_EL1, S3_0_C0_C6_1, hex ID, AArch32 ID_DFR0, ...")
    String reg;
    @Parameters(index = "1", paramLabel = "VALUE", description = "value (0x hex or decimal); the source value when NEWVALUE is given")
    String value;
    @Parameters(index = "2", arity = "0..1", paramLabel = "NEWVALUE", description = "destination value to compare with")
    String newValue;
    @Option(names = "--json", description = "JSON output")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        RegId id = RegParser.parse(reg);
        long v = RegListReader.parseValue(value);
        if (newValue == null) {
            decode(out, id, v);
            return Main.EXIT_OK;
        }
        FieldDiff d = IdRegisterFields.diff(id, v, RegListReader.parseValue(newValue));
        if (json) {
            Json.print(out, diffJson(id, d));
        } else {
            printDiff(out, id, d);
        }
        return d.identical() ? Main.EXIT_OK : Main.EXIT_DIFFERENT;
    }

    private String header(RegId id) {
        String name = RegCatalog.get().name(id);
        String layout = IdRegisterFields.layoutName(id).orElse(null);
        String via = layout == null ? "  (no field layout known; shown raw)" : layout.equals(name) ? "" : "  (layout of " + layout + ")";
        return name + " (" + id.hex() + ")" + via;
    }

    private void decode(PrintWriter out, RegId id, long v) {
        List<FieldValue> fields = IdRegisterFields.decode(id, v);
        if (json) {
            ObjectNode o = RegFormat.json(id);
            o.put("layout", IdRegisterFields.layoutName(id).orElse(null));
            o.put("id_register", IdRegisterFields.isIdRegister(id));
            o.put("value", Json.hex(v));
            ArrayNode arr = o.putArray("fields");
            fields.forEach(f -> arr.add(fieldJson(f)));
            Json.print(out, o);
            return;
        }
        out.println(header(id) + " = " + Json.hex(v));
        TextTable t = new TextTable("  ").row("bits", "field", "value", "meaning", "rule");
        for (FieldValue f : fields) {
            if (f.kind() != FieldKind.FIELD && f.value() == 0) {
                continue; // reserved bits that read as zero say nothing
            }
            String meaning = f.enumName() == null ? "" : f.enumName();
            if (f.kind() != FieldKind.FIELD) {
                meaning = f.kind() + " bits set";
            }
            t.row(f.bits(), f.name(), number(f), meaning, rule(f.rule(), f.signed()));
        }
        t.print(out);
    }

    private void printDiff(PrintWriter out, RegId id, FieldDiff d) {
        out.println(header(id) + ": " + Json.hex(d.source()) + ARROW + Json.hex(d.destination()));
        out.println(d.summary());
        if (d.identical()) {
            return;
        }
        TextTable t = new TextTable("  ").row("bits", "field", "old", "new", "rule", "migration", "why");
        for (FieldChange c : d.changes()) {
            t.row(c.bits(), c.field(), named(c.oldValue(), c.oldName()), named(c.newValue(), c.newName()),
                    c.rule() == SafetyRule.NONE ? "-" : c.rule().name(), c.safeForMigration() ? "safe" : "UNSAFE", c.reason());
        }
        t.print(out);
        List<FieldChange> unsafe = d.unsafeChanges();
        if (unsafe.isEmpty()) {
            out.println("verdict: safe for a guest that saw the first value to run on the second");
        } else {
            out.println("verdict: UNSAFE for a guest that saw the first value to run on the second ("
                    + unsafe.stream().map(FieldChange::field).collect(Collectors.joining(", ")) + ")");
        }
        out.flush();
    }

    private static ObjectNode diffJson(RegId id, FieldDiff d) {
        ObjectNode o = RegFormat.json(id);
        o.put("layout", IdRegisterFields.layoutName(id).orElse(null));
        o.put("id_register", IdRegisterFields.isIdRegister(id));
        o.put("source", Json.hex(d.source()));
        o.put("destination", Json.hex(d.destination()));
        o.put("verdict", d.verdict().name());
        o.put("summary", d.summary());
        ArrayNode arr = o.putArray("changes");
        for (FieldChange c : d.changes()) {
            arr.addObject().put("field", c.field()).put("msb", c.msb()).put("lsb", c.lsb())
                    .put("old", c.oldValue()).put("new", c.newValue()).put("old_name", c.oldName()).put("new_name", c.newName())
                    .put("rule", c.rule().name()).put("effect", c.effect().name())
                    .put("safe_for_migration", c.safeForMigration()).put("reason", c.reason());
        }
        return o;
    }

    private static ObjectNode fieldJson(FieldValue f) {
        return Json.object().put("name", f.name()).put("msb", f.msb()).put("lsb", f.lsb()).put("value", f.value())
                .put("enum", f.enumName()).put("signed", f.signed()).put("kind", f.kind().name()).put("rule", f.rule().name());
    }

    private static String number(FieldValue f) {
        String n = f.width() <= 4 ? Long.toString(f.value()) : "0x" + Long.toHexString(f.value());
        return f.signed() && f.numeric() < 0 ? n + " (" + f.numeric() + ")" : n;
    }

    private static String named(long v, String name) {
        String n = v >= 0 && v <= 9 ? Long.toString(v) : "0x" + Long.toHexString(v);
        return name == null ? n : n + " " + name;
    }

    private static String rule(SafetyRule r, boolean signed) {
        if (r == SafetyRule.NONE) {
            return "-";
        }
        return signed ? r.name() + " (signed)" : r.name();
    }
}
