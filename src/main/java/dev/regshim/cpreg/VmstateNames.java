package dev.regshim.cpreg;

import dev.regshim.RegshimException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The vmstate (sub)section names each observed QEMU release knows ({@code data/qemu/vmstate-names.tsv}, read from the
 * strings of each release's binary), with the first releases known from elsewhere: a loader fails on a subsection
 * whose name it does not know.
 */
final class VmstateNames {

    /** When a name is known from the observed releases (first and last that have it). */
    record Span(QemuRelease first, QemuRelease last) {
    }

    private static final String RESOURCE = "/dev/regshim/data/qemu/vmstate-names.tsv";

    /** First releases known exactly, between observed ones (the table can only say "after the previous observed"). */
    private static final Map<String, QemuRelease> KNOWN_FIRST = Map.of(
            "cpu/syndrome64", new QemuRelease(10, 2), "cpu/pstate64", new QemuRelease(10, 2));

    private static final Map<String, Span> TABLE = load();

    private VmstateNames() {
    }

    static Span span(String name) {
        return TABLE.get(name);
    }

    static QemuRelease knownFirst(String name) {
        return KNOWN_FIRST.get(name);
    }

    private static Map<String, Span> load() {
        Map<String, Span> out = new HashMap<>();
        try (InputStream in = VmstateNames.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new RegshimException("missing resource " + RESOURCE);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            int n = 0;
            for (String line; (line = r.readLine()) != null; ) {
                n++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                String where = RESOURCE + " line " + n;
                if (f.length < 3) {
                    throw new RegshimException(where + ": expected NAME, FIRST and LAST release separated by tabs");
                }
                out.put(f[0], new Span(QemuRelease.parse(f[1], where), QemuRelease.parse(f[2], where)));
            }
        } catch (IOException e) {
            throw new RegshimException("cannot read resource " + RESOURCE + ": " + e.getMessage());
        }
        return Map.copyOf(out);
    }
}
