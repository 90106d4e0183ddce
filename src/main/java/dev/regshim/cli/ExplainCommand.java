package dev.regshim.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.regshim.RegshimException;
import dev.regshim.explain.Explainer;
import dev.regshim.explain.Explanation;
import dev.regshim.explain.Finding;
import dev.regshim.explain.QemuLog;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;
import dev.regshim.util.Text;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/** {@code regshim explain [LOG|-]}: what the destination QEMU printed, explained. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Explain what a destination QEMU printed when a migration failed: every register named, the "
                + "cause and the fix. Any release's dialect (7.2-11.1, the hidden/fake series' traces, aborts); "
                + "timestamps and libvirt log prefixes are fine, unrelated lines are ignored.",
                "Exit 0 when something was explained, 1 when nothing was recognised."})
final class ExplainCommand implements Callable<Integer> {

    static Supplier<InputStream> stdin = () -> new FileInputStream(FileDescriptor.in);

    private static final int MAX_QUOTE = 200;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "LOG", defaultValue = "-",
            description = "the log (QEMU's stderr, a libvirt /var/log/libvirt/qemu/GUEST.log), or - for standard input (default)")
    String log;

    @Option(names = "--json", description = "JSON output")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String source = log.equals("-") ? "standard input" : log;
        QemuLog parsed = read(log);
        Explanation x = Explainer.explain(parsed);
        if (json) {
            Json.print(out, json(x));
        } else if (!x.explained()) {
            out.println("nothing recognised in " + Text.safe(source, 300) + " (" + parsed.lines()
                    + " lines): no QEMU migration error, warning or register line");
        } else {
            print(out, x);
        }
        return x.explained() ? Main.EXIT_OK : Main.EXIT_DIFFERENT;
    }

    /** What {@code explain LOG} reads: the log file, or standard input for {@code -}. */
    static QemuLog read(String log) {
        String source = log.equals("-") ? "standard input" : log;
        try (InputStream in = log.equals("-") ? stdin.get() : Files.newInputStream(Path.of(log))) {
            return QemuLog.read(in, source);
        } catch (NoSuchFileException e) {
            throw new RegshimException("no such file: " + Text.safe(log, 300));
        } catch (IOException e) {
            throw new RegshimException("cannot read " + Text.safe(source, 300) + ": " + e.getMessage(), e);
        }
    }

    private static void print(PrintWriter out, Explanation x) {
        out.println(x.failed() ? "the load failed" : "the load was only warned about");
        if (!x.dialect().isEmpty()) {
            out.println("dialect: " + x.dialect());
        }
        for (Finding f : x.findings()) {
            out.println();
            out.printf("%s %s (line %d: %s)%n", f.fatal() ? "error" : "note", kind(f.kind()), f.firstLine(),
                    Text.safe(f.quote(), MAX_QUOTE));
            out.println("  cause  " + Text.safe(f.cause(), 2000));
            if (!f.registers().isEmpty()) {
                out.println("  registers (" + f.registers().size() + "):");
                for (Finding.NamedRegister r : f.registers()) {
                    RegId first = r.candidates().get(0);
                    String name = RegCatalog.get().name(first);
                    String encoding = RegCatalog.get().encoding(first);
                    out.println(String.format("    %s  %-22s %s", first.hex(), name, name.equals(encoding) ? "" : encoding)
                            .stripTrailing());
                    for (RegId other : r.candidates().subList(1, r.candidates().size())) {
                        out.printf("      or %s  %s: QEMU prints both banks with the key 0x%x%n", other.hex(),
                                RegCatalog.get().name(other), other.qemuCpregKey());
                    }
                }
            }
            for (String fix : f.fixes()) {
                out.println("  fix    " + Text.safe(fix, 2000));
            }
        }
        if (x.log().cutLines() > 0 || x.log().eventsDropped() > 0) {
            out.printf("%n(%d lines longer than %d bytes were read in part; %d recognised lines past %d were counted, not kept)%n",
                    x.log().cutLines(), QemuLog.MAX_LINE_CHARS, x.log().eventsDropped(), QemuLog.MAX_EVENTS);
        }
    }

    private static String kind(Finding.Kind k) {
        return k.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    private static ObjectNode json(Explanation x) {
        ObjectNode o = Json.object();
        o.put("explained", x.explained());
        o.put("failed", x.failed());
        o.put("dialect", x.dialect());
        o.put("lines", x.log().lines());
        o.put("cut_lines", x.log().cutLines());
        o.put("events_dropped", x.log().eventsDropped());
        ArrayNode fs = o.putArray("findings");
        for (Finding f : x.findings()) {
            ObjectNode j = fs.addObject();
            j.put("kind", kind(f.kind()));
            j.put("fatal", f.fatal());
            j.put("line", f.firstLine());
            j.put("quote", f.quote());
            j.put("cause", f.cause());
            ArrayNode regs = j.putArray("registers");
            for (Finding.NamedRegister r : f.registers()) {
                ObjectNode jr = regs.addObject();
                jr.put("name", r.name());
                ArrayNode c = jr.putArray("candidates");
                for (RegId id : r.candidates()) {
                    c.add(RegFormat.json(id));
                }
            }
            ArrayNode fixes = j.putArray("fixes");
            f.fixes().forEach(fixes::add);
        }
        return o;
    }
}
