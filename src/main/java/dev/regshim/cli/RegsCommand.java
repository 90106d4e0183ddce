package dev.regshim.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegClass;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegListReader;
import dev.regshim.regs.RegParser;
import dev.regshim.regs.RegSet;
import dev.regshim.regs.RegSetDiff;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** {@code regshim regs}: decode, parse and diff register IDs and sets. */
@Command(name = "regs", mixinStandardHelpOptions = true,
        description = "Decode, parse, diff register IDs and sets; decode ID-register fields.",
        subcommands = {RegsCommand.Decode.class, RegsCommand.Parse.class, RegsCommand.Diff.class, RegsFieldsCommand.class})
public final class RegsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "decode", mixinStandardHelpOptions = true,
            description = "Decode register IDs (or any name/encoding the parser takes) into class, name, encoding and QEMU's trace name.")
    static final class Decode implements java.util.concurrent.Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(arity = "1..*", paramLabel = "REG", description = "hex ID, QEMU cpreg key (0x200f3a00), name, S3_0_C2_C0_3, 'op0:3 op1:0 ...', ARM64_SYS_REG(...), a pasted QEMU line, ...")
        List<String> regs;
        @Option(names = "--json", description = "JSON output")
        boolean json;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            RegCatalog cat = RegCatalog.get();
            ArrayNode arr = Json.MAPPER.createArrayNode();
            for (String text : regs) {
                List<RegId> ids = RegParser.parseAll(text);
                for (RegId id : ids) {
                    print(out, cat, arr, id, ids);
                }
            }
            if (json) {
                Json.print(out, arr);
            }
            return Main.EXIT_OK;
        }

        private void print(PrintWriter out, RegCatalog cat, ArrayNode arr, RegId id, List<RegId> sameKey) {
                if (json) {
                    ObjectNode o = RegFormat.json(id);
                    o.put("size_bytes", id.sizeBytes());
                    o.put("qemu_trace_name", cat.qemuTraceName(id));
                    o.put("qemu_cpreg_key", String.format("0x%x", id.qemuCpregKey()));
                    ArrayNode aliases = o.putArray("aliases");
                    cat.aliases(id).forEach(aliases::add);
                    cat.timerNote(id).ifPresent(n -> o.put("note", n));
                    o.put("in_qemu_cpreg_list", id.syncsViaCpregList());
                    fields(id, o);
                    if (sameKey.size() > 1) {
                        ArrayNode twins = o.putArray("same_qemu_key");
                        sameKey.stream().filter(t -> !t.equals(id)).forEach(t -> twins.add(cat.name(t)));
                    }
                    arr.add(o);
                    return;
                }
                out.println(id.hex() + "  " + cat.name(id));
                out.printf("  class     %s%n", id.regClass().label());
                out.printf("  encoding  %s%s%n", cat.encoding(id), fieldText(id));
                out.printf("  size      %d bits%n", id.sizeBytes() * 8);
                out.printf("  qemu      %s%n", cat.qemuTraceName(id));
                if (id.syncsViaCpregList() && id.regClass() != RegClass.UNKNOWN) {
                    out.printf("  qemu key  0x%x%n", id.qemuCpregKey());
                }
                List<String> aliases = cat.aliases(id);
                if (!aliases.isEmpty()) {
                    out.printf("  aliases   %s%n", String.join(", ", aliases));
                }
                cat.timerNote(id).ifPresent(n -> out.printf("  note      KVM uapi ID; %s%n", n));
                if (!id.syncsViaCpregList()) {
                    out.println("  note      not in QEMU's cpreg list (synced directly, never migrated as a cpreg)");
                }
                if (sameKey.size() > 1) {
                    out.printf("  note      QEMU prints %s and %s with the same key 0x%x (it marks every AArch32 key non-secure)%n",
                            cat.name(sameKey.get(0)), cat.name(sameKey.get(1)), id.qemuCpregKey());
                }
        }

        private static String fieldText(RegId id) {
            if (id.regClass() == RegClass.SYSREG) {
                return String.format("   op0=%d op1=%d CRn=%d CRm=%d op2=%d", id.op0(), id.op1(), id.crn(), id.crm(), id.op2());
            }
            return "";
        }

        private static void fields(RegId id, ObjectNode o) {
            if (id.regClass() == RegClass.SYSREG) {
                o.put("op0", id.op0()).put("op1", id.op1()).put("crn", id.crn()).put("crm", id.crm()).put("op2", id.op2());
            } else if (id.regClass() == RegClass.AARCH32_CP32 || id.regClass() == RegClass.AARCH32_CP64) {
                o.put("cp", id.cpNum()).put("ns", id.cpNs()).put("crn", id.cpCrn()).put("crm", id.cpCrm())
                        .put("opc1", id.cpOpc1()).put("opc2", id.cpOpc2());
            }
        }
    }

    @Command(name = "parse", mixinStandardHelpOptions = true,
            description = "Normalise registers given in any syntax (or a list file with -f) to 'ID NAME' lines.")
    static final class Parse implements java.util.concurrent.Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(arity = "0..*", paramLabel = "REG")
        List<String> regs = List.of();
        @Option(names = {"-f", "--file"}, paramLabel = "FILE",
                description = "read a list file (plain, selftest --list output, or QEMU trace lines; '-' reads standard input)")
        String file;
        @Option(names = "--json", description = "JSON output")
        boolean json;

        /**
         * What {@code regs parse -f FILE} reads: the list file's registers in file order; with {@code alone} (no
         * registers given besides), at least one.
         */
        static List<RegId> readFile(String file, boolean alone) {
            List<RegId> ids = RegListReader.read(Path.of(StdinInput.path(file))).inFileOrder();
            if (ids.isEmpty() && alone) { // a list file without registers is bad input, not a usage error
                throw new dev.regshim.RegshimException(file + ": no registers in the file");
            }
            return ids;
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<RegId> ids = new java.util.ArrayList<>();
            if (file != null) {
                ids.addAll(readFile(file, regs.isEmpty()));
            }
            for (String r : regs) {
                ids.addAll(RegParser.parseAll(r));
            }
            if (ids.isEmpty()) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give registers or -f FILE");
            }
            if (json) {
                ArrayNode a = Json.MAPPER.createArrayNode();
                ids.forEach(id -> a.add(RegFormat.json(id)));
                Json.print(out, a);
            } else {
                ids.forEach(id -> out.println(RegFormat.row(id)));
            }
            return Main.EXIT_OK;
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = {"Compare two register lists and name every register on each side. Exit 1 when they differ.",
                    "A and B: a register list file, a migration stream or libvirt save image, a profile JSON, or "
                            + "kernel:VERSION[+feature...] (streams and profiles: vCPU 0's list)."})
    static final class Diff implements java.util.concurrent.Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "A")
        String a;
        @Parameters(index = "1", paramLabel = "B")
        String b;
        @Option(names = "--json", description = "JSON output")
        boolean json;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            String[] files = StdinInput.paths(a, b); // '-' is standard input; the report still names it '-'
            RegSet left = ids(files[0]);
            RegSet right = ids(files[1]);
            RegSetDiff d = left.diff(right);
            if (json) {
                ObjectNode o = Json.object();
                o.put("a", a.toString()).put("b", b.toString());
                o.put("a_count", left.size()).put("b_count", right.size()).put("common", d.common().size());
                o.set("only_in_a", RegFormat.json(d.onlyLeft()));
                o.set("only_in_b", RegFormat.json(d.onlyRight()));
                Json.print(out, o);
            } else {
                out.printf("%s: %d registers, %s: %d registers, %d in both%n", a, left.size(), b, right.size(), d.common().size());
                printSide(out, "only in " + a, d.onlyLeft());
                printSide(out, "only in " + b, d.onlyRight());
                if (d.isEmpty()) {
                    out.println("the lists are identical");
                }
            }
            return d.isEmpty() ? Main.EXIT_OK : Main.EXIT_DIFFERENT;
        }

        private static RegSet ids(String spec) {
            return dev.regshim.profile.source.ProfileSources.resolve(spec).vcpus().get(0).cpregs().idSet();
        }

        static void printSide(PrintWriter out, String title, RegSet set) {
            if (set.isEmpty()) {
                return;
            }
            out.printf("%s (%d):%n", title, set.size());
            RegFormat.printSet(out, "  ", set);
        }
    }
}
