package dev.regshim.libvirt;

import dev.regshim.util.Text;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The QEMU command line libvirt builds for a domain ({@code virsh domxml-to-native qemu-argv}: environment
 * assignments, the emulator, its options, shell-quoted), and the part of it that decides the vCPU's registers: the
 * command {@code profile capture} runs. Sockets, file descriptors, devices, secrets and the sandbox belong to the
 * running domain and are left out; the machine (without its memory backend object), accelerator, CPU, memory, vCPU
 * count and every {@code -global} except the register lists are kept.
 */
public final class QemuArgv {

    private static final Pattern ENV = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*=.*");
    /** Options that shape the vCPU's register list and values; each takes one argument. */
    static final Set<String> KEPT = Set.of("-machine", "-M", "-accel", "-cpu", "-m", "-smp", "-global");
    /** What the capture adds: no devices, no display, no configuration files. */
    static final List<String> CAPTURE_FLAGS = List.of("-nodefaults", "-no-user-config", "-display", "none");
    /** {@code -machine} properties that name objects of the dropped part of the command line. */
    static final Set<String> MACHINE_REFERENCES = Set.of("memory-backend");

    private QemuArgv() {
    }

    /**
     * Splits a shell command line as libvirt writes it: blanks separate, single quotes keep everything, double quotes
     * keep all but backslash escapes, a backslash escapes the next character, and backslash-newline continues a line.
     */
    public static List<String> tokenize(String line, String where) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inToken = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                char n = line.charAt(++i);
                if (n != '\n') {
                    cur.append(n);
                    inToken = true;
                }
            } else if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw unbalanced(where, "'");
                }
                cur.append(line, i + 1, end);
                i = end;
                inToken = true;
            } else if (c == '"') {
                int j = i + 1;
                for (; j < line.length() && line.charAt(j) != '"'; j++) {
                    if (line.charAt(j) == '\\' && j + 1 < line.length()) {
                        j++;
                    }
                    cur.append(line.charAt(j));
                }
                if (j >= line.length()) {
                    throw unbalanced(where, "\"");
                }
                i = j;
                inToken = true;
            } else if (Character.isWhitespace(c)) {
                if (inToken) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    inToken = false;
                }
            } else {
                cur.append(c);
                inToken = true;
            }
        }
        if (inToken) {
            out.add(cur.toString());
        }
        return out;
    }

    private static LibvirtException unbalanced(String where, String quote) {
        return new LibvirtException(LibvirtException.Kind.BAD_INPUT, where + ": unbalanced " + quote + " in the QEMU command line");
    }

    /** The emulator: the first word after the environment assignments. */
    public static String emulator(List<String> argv, String where) {
        return argv.get(firstWord(argv, where));
    }

    /** The capture command for this command line: the emulator, the {@link #KEPT} options, {@link #CAPTURE_FLAGS}. */
    public static List<String> captureCommand(List<String> argv, String where) {
        int at = firstWord(argv, where);
        List<String> out = new ArrayList<>();
        out.add(argv.get(at));
        for (int i = at + 1; i < argv.size(); i++) {
            String opt = argv.get(i);
            boolean hasArg = i + 1 < argv.size() && !argv.get(i + 1).startsWith("-");
            if (KEPT.contains(opt) && hasArg) {
                String arg = argv.get(i + 1);
                if (opt.equals("-global") && RegisterLists.of(List.of(opt, arg), where).semantics().isPresent()) {
                    i++;
                    continue; // a register list: the profile is the destination without lists; check applies them
                }
                out.add(opt);
                out.add(opt.equals("-machine") || opt.equals("-M") ? withoutReferences(arg) : arg);
            }
            if (hasArg) {
                i++;
            }
        }
        out.addAll(CAPTURE_FLAGS);
        return out;
    }

    private static int firstWord(List<String> argv, String where) {
        for (int i = 0; i < argv.size(); i++) {
            if (!ENV.matcher(argv.get(i)).matches()) {
                return i;
            }
        }
        throw new LibvirtException(LibvirtException.Kind.BAD_INPUT, where + ": no emulator in the QEMU command line '"
                + Text.safe(String.join(" ", argv), 80) + "'");
    }

    static String withoutReferences(String machine) {
        StringBuilder b = new StringBuilder();
        for (String part : RegisterLists.qemuOpts(machine)) {
            int eq = part.indexOf('=');
            if (eq > 0 && MACHINE_REFERENCES.contains(part.substring(0, eq))) {
                continue;
            }
            b.append(b.length() == 0 ? "" : ",").append(part.replace(",", ",,"));
        }
        return b.toString();
    }
}
