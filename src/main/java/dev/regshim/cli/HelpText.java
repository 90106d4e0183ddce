package dev.regshim.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * Help texts that wrap to the terminal: the commands' descriptions were written as lines broken at a fixed width
 * (which picocli prints as separate lines, and the command list cut after the first). This joins every line that
 * ends mid-sentence with the next, so picocli wraps whole paragraphs to the terminal's width; lines that end a
 * sentence stay paragraphs, and indented lines (examples) stay as written.
 */
final class HelpText {

    private HelpText() {
    }

    /** Reflows the descriptions of {@code cl} and all its subcommands, and lets picocli use the terminal's width. */
    static void apply(CommandLine cl) {
        cl.setUsageHelpAutoWidth(true);
        reflow(cl);
    }

    private static void reflow(CommandLine cl) {
        CommandSpec spec = cl.getCommandSpec();
        spec.usageMessage().description(paragraphs(spec.usageMessage().description()));
        if (!cl.getSubcommands().isEmpty()) {
            cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST, HelpText::commandList);
        }
        cl.getSubcommands().values().forEach(HelpText::reflow);
    }

    /** The command list: each command with the first sentence of its description (the rest is in its own help). */
    private static String commandList(CommandLine.Help help) {
        java.util.Map<String, CommandLine.Help> subs = help.subcommands();
        if (subs.isEmpty()) {
            return "";
        }
        int nameWidth = Math.min(NAME_COLUMN, subs.keySet().stream().mapToInt(String::length).max().orElse(0) + 4);
        int width = help.commandSpec().usageMessage().width();
        CommandLine.Help.TextTable t = CommandLine.Help.TextTable.forColumns(help.colorScheme(),
                new CommandLine.Help.Column(nameWidth, 2, CommandLine.Help.Column.Overflow.SPAN),
                new CommandLine.Help.Column(Math.max(20, width - nameWidth), 2, CommandLine.Help.Column.Overflow.WRAP));
        subs.forEach((name, sub) -> {
            if (!sub.commandSpec().usageMessage().hidden()) {
                t.addRowValues(name, firstSentence(sub.commandSpec()));
            }
        });
        return t.toString();
    }

    private static final int NAME_COLUMN = 24;

    /** The header if the command has one, else the first sentence of its description. */
    static String firstSentence(CommandSpec spec) {
        String[] header = spec.usageMessage().header();
        String[] description = spec.usageMessage().description();
        String first = header.length > 0 ? header[0] : description.length > 0 ? description[0] : "";
        int end = first.indexOf(". ");
        String s = end > 0 ? first.substring(0, end + 1) : first.strip();
        return s.isEmpty() || s.endsWith(".") ? s : s + ".";
    }

    static String[] paragraphs(String[] lines) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = null;
        for (String line : lines) {
            boolean preformatted = line.isEmpty() || Character.isWhitespace(line.charAt(0));
            if (cur != null && !preformatted) {
                cur.append(cur.charAt(cur.length() - 1) == '-' ? "" : " ").append(line.strip());
            } else {
                if (cur != null) {
                    out.add(cur.toString());
                }
                cur = preformatted ? null : new StringBuilder(line.strip());
                if (preformatted) {
                    out.add(line);
                }
            }
            if (cur != null && endsSentence(line)) {
                out.add(cur.toString());
                cur = null;
            }
        }
        if (cur != null) {
            out.add(cur.toString());
        }
        return out.toArray(new String[0]);
    }

    private static boolean endsSentence(String line) {
        String t = line.strip();
        return t.endsWith(".") || t.endsWith(":") || t.endsWith("?");
    }
}
