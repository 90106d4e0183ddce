package dev.regshim.kernel;

import dev.regshim.regs.RegId;
import dev.regshim.regs.RegParser;
import dev.regshim.regs.RegSet;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kvm selftest get-reg-list "blessed" lists (src/test/resources/kvm-regs/get-reg-list-v*.txt), by sublist. Each
 * row's ID is taken by parsing its C source expression with {@link RegParser}, and must equal the row's hex ID.
 */
final class SelftestLists {

    private SelftestLists() {
    }

    static Map<String, RegSet> load(String version) {
        String path = "/kvm-regs/get-reg-list-v" + version + ".txt";
        Map<String, List<RegId>> bySublist = new LinkedHashMap<>();
        try (InputStream in = SelftestLists.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] c = line.split("\t", -1);
                RegId hex = RegId.of(Long.parseUnsignedLong(c[0].substring(2), 16));
                RegId parsed = RegParser.parse(c[5]);
                if (!parsed.equals(hex)) {
                    throw new AssertionError(path + ": '" + c[5] + "' parses to " + parsed + ", file says " + hex);
                }
                bySublist.computeIfAbsent(c[2], k -> new ArrayList<>()).add(parsed);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, RegSet> out = new LinkedHashMap<>();
        bySublist.forEach((k, v) -> out.put(k, RegSet.of(v)));
        return out;
    }

    static RegSet union(Map<String, RegSet> lists, String... sublists) {
        RegSet s = RegSet.empty();
        for (String name : sublists) {
            s = s.union(lists.getOrDefault(name, RegSet.empty()));
        }
        return s;
    }
}
