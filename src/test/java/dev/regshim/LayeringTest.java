package dev.regshim;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package rules the package-info files state, checked on the sources: which regshim packages each one refers to
 * (imports and fully qualified names alike), and that every package says what it owns.
 */
class LayeringTest {

    private static final Path MAIN = Path.of("src/main/java/dev/regshim");
    private static final Pattern REF = Pattern.compile("\\bdev\\.regshim((?:\\.[a-z][a-z0-9]*)*)\\.[A-Z]");

    /** Per package (relative name, "" for the root), the regshim packages its main sources refer to. */
    private static Map<String, Set<String>> uses() throws IOException {
        Map<String, Set<String>> out = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(MAIN)) {
            files = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        for (Path f : files) {
            String pkg = MAIN.relativize(f.getParent()).toString().replace('/', '.');
            Set<String> used = out.computeIfAbsent(pkg, k -> new TreeSet<>());
            String text = Files.readString(f);
            Matcher m = REF.matcher(text.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", ""));
            while (m.find()) {
                String p = m.group(1).isEmpty() ? "" : m.group(1).substring(1);
                if (!p.equals(pkg)) {
                    used.add(p);
                }
            }
        }
        return out;
    }

    private static void never(Map<String, Set<String>> uses, String pkg, String... forbidden) {
        assertThat(uses).containsKey(pkg);
        assertThat(uses.get(pkg)).as("packages %s refers to", pkg).doesNotContainAnyElementsOf(List.of(forbidden));
    }

    @Test
    void packagesReferOnlyToWhatTheyMay() throws IOException {
        Map<String, Set<String>> u = uses();
        // the scan sees references (imports and qualified names alike)
        assertThat(u.get("rewrite")).contains("policy", "stream", "stream.container");
        assertThat(u.get("kernel.capture")).contains("cpreg");
        never(u, "plan", "rewrite", "proxy", "stream", "qemu", "cli", "lab");
        never(u, "proxy", "rewrite", "plan", "qemu", "cli", "lab");
        never(u, "policy", "rewrite", "proxy", "plan", "qemu", "cli", "lab", "profile.source");
        never(u, "cpreg", "qemu", "stream", "profile", "check", "policy");
        never(u, "check", "qemu", "stream", "policy", "profile.source");
        never(u, "profile", "qemu", "stream", "kernel", "profile.source", "check");
        never(u, "stream", "cpreg", "profile", "check", "policy", "rewrite", "proxy", "qemu", "kernel", "cli");
        never(u, "regs", "cpreg", "stream", "kernel", "qemu", "profile");
        never(u, "release", "qemu", "cpreg", "regs");
        for (Map.Entry<String, Set<String>> e : u.entrySet()) {
            if (!e.getKey().equals("cli")) {
                // the product never depends on the CLI nor on the tools that are not the product
                assertThat(e.getValue()).as("packages %s refers to", e.getKey()).doesNotContain("cli", "bench");
            }
        }
    }

    @Test
    void everyPackageSaysWhatItOwns() throws IOException {
        List<String> missing = new ArrayList<>();
        for (String pkg : uses().keySet()) {
            Path info = MAIN.resolve(pkg.replace('.', '/')).resolve("package-info.java");
            if (!Files.exists(info)) {
                missing.add(pkg.isEmpty() ? "dev.regshim" : pkg);
            }
        }
        assertThat(missing).isEmpty();
    }
}
