package dev.regshim.libvirt;

import dev.regshim.cpreg.Semantics;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegSet;
import dev.regshim.util.Text;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The hidden and fake (safe-missing) register lists a QEMU command line sets with {@code -global} on an ARM CPU
 * driver, and the QEMU they are for: {@code kvm-hidden-regs}/{@code kvm-enforced-regs} are series v1's,
 * {@code x-mig-hidden-regs}/{@code x-mig-safe-missing-regs} series v2's ({@link Semantics#hiddenProperty()}).
 * Both spellings of {@code -global} are read: {@code driver=arm-cpu,property=P,value=V} (QemuOpts, a doubled comma is
 * one comma) and {@code arm-cpu.P=V}.
 *
 * @param semantics the series the properties belong to; empty when no list is set
 */
public record RegisterLists(Optional<Semantics> semantics, RegSet hidden, RegSet fake) {

    /** Register ids in one list; QEMU's own limit on a list property is far lower. */
    static final int MAX_IDS = 4096;

    public static RegisterLists none() {
        return new RegisterLists(Optional.empty(), RegSet.empty(), RegSet.empty());
    }

    public boolean isEmpty() {
        return hidden.isEmpty() && fake.isEmpty();
    }

    /** The lists set by the {@code -global} options of an argument vector; other arguments are ignored. */
    public static RegisterLists of(List<String> args, String where) {
        Semantics semantics = null;
        RegSet hidden = null;
        RegSet fake = null;
        for (int i = 0; i + 1 < args.size(); i++) {
            if (!args.get(i).equals("-global") && !args.get(i).equals("--global")) {
                continue;
            }
            String[] dpv = global(args.get(i + 1));
            if (dpv == null || !dpv[0].endsWith("arm-cpu")) {
                continue;
            }
            for (Semantics s : Semantics.values()) {
                boolean isHidden = dpv[1].equals(s.hiddenProperty());
                boolean isFake = dpv[1].equals(s.fakeProperty());
                if (!isHidden && !isFake) {
                    continue;
                }
                if (semantics != null && semantics != s) {
                    throw new LibvirtException(LibvirtException.Kind.BAD_INPUT, where + ": both " + semantics.label()
                            + " and " + s.label() + " register list properties are set (" + dpv[1] + ")");
                }
                semantics = s;
                RegSet ids = ids(dpv[2], where, dpv[1]);
                if ((isHidden ? hidden : fake) != null) {
                    throw new LibvirtException(LibvirtException.Kind.BAD_INPUT, where + ": " + dpv[1] + " is set twice");
                }
                if (isHidden) {
                    hidden = ids;
                } else {
                    fake = ids;
                }
            }
        }
        return new RegisterLists(Optional.ofNullable(semantics), hidden == null ? RegSet.empty() : hidden,
                fake == null ? RegSet.empty() : fake);
    }

    /** {driver, property, value} of a {@code -global} argument, or null when it is neither spelling. */
    static String[] global(String arg) {
        if (arg.startsWith("driver=")) {
            String driver = null;
            String property = null;
            String value = null;
            for (String part : qemuOpts(arg)) {
                int eq = part.indexOf('=');
                if (eq < 0) {
                    return null;
                }
                String k = part.substring(0, eq);
                String v = part.substring(eq + 1);
                switch (k) {
                    case "driver" -> driver = v;
                    case "property" -> property = v;
                    case "value" -> value = v;
                    default -> {
                        return null;
                    }
                }
            }
            return driver == null || property == null || value == null ? null : new String[]{driver, property, value};
        }
        int dot = arg.indexOf('.');
        int eq = arg.indexOf('=');
        if (dot <= 0 || eq < dot + 2) {
            return null;
        }
        return new String[]{arg.substring(0, dot), arg.substring(dot + 1, eq), arg.substring(eq + 1)};
    }

    /** QemuOpts' split: a single comma separates, a doubled comma is one literal comma. */
    static List<String> qemuOpts(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ',') {
                if (i + 1 < s.length() && s.charAt(i + 1) == ',') {
                    cur.append(',');
                    i++;
                    continue;
                }
                out.add(cur.toString());
                cur.setLength(0);
                continue;
            }
            cur.append(c);
        }
        out.add(cur.toString());
        return out;
    }

    private static RegSet ids(String value, String where, String property) {
        List<RegId> ids = new ArrayList<>();
        if (value.isBlank()) {
            return RegSet.empty();
        }
        for (String t : value.split(",", -1)) {
            String x = t.strip();
            if (ids.size() == MAX_IDS) {
                throw new LibvirtException(LibvirtException.Kind.BAD_INPUT, where + ": " + property + " lists more than "
                        + MAX_IDS + " registers");
            }
            try {
                ids.add(RegId.of(x.startsWith("0x") || x.startsWith("0X") ? Long.parseUnsignedLong(x.substring(2), 16)
                        : Long.parseUnsignedLong(x)));
            } catch (NumberFormatException e) {
                throw new LibvirtException(LibvirtException.Kind.BAD_INPUT, where + ": " + property + ": '"
                        + Text.safe(x, 40) + "' is not a register id (expected 0x603000000013c103 and the like)");
            }
        }
        return RegSet.of(ids);
    }
}
