package dev.regshim.kernel;

import dev.regshim.regs.RegId;
import dev.regshim.regs.RegSet;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Cross-checks every row of kvm-regs/predicted-migration-matrix.tsv (the research model's output) against the database. */
class PredictedMatrixTest {

    /** Profiles of the matrix; v6.1 is counted without its host-dependent DEMUX IDs, so its CLIDR is 0. */
    private static final Map<String, String> PROFILES = Map.of(
            "P1_noSVE_noPAuth_PMU", "",
            "P2_SVE_PAuth_PMU", "+sve+pauth",
            "P3_SVE_PAuth_PMU_v9.4feats", "+sve+pauth+tcr2+s1pie+s1poe+sctlr2+fpmr");
    private static final Pattern ID = Pattern.compile("0x([0-9a-f]{16})");

    private static KernelRegList host(String profile, String version) {
        String v = version.substring(1);
        return KernelRegDb.parseSpec(v + PROFILES.get(profile) + (v.equals("6.1") ? "+clidr=0" : ""));
    }

    @Test
    void everyRowMatches() throws Exception {
        int rows = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                PredictedMatrixTest.class.getResourceAsStream("/kvm-regs/predicted-migration-matrix.tsv"), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] c = line.split("\t");
                KernelRegList src = host(c[0], c[1]);
                KernelRegList dst = host(c[0], c[2]);
                assertThat(src.size()).as("%s %s size", c[0], c[1]).isEqualTo(Integer.parseInt(c[3]));
                assertThat(dst.size()).as("%s %s size", c[0], c[2]).isEqualTo(Integer.parseInt(c[4]));
                List<RegId> failing = new ArrayList<>();
                Matcher m = ID.matcher(c[5]);
                while (m.find()) {
                    failing.add(RegId.of(Long.parseUnsignedLong(m.group(1), 16)));
                }
                assertThat(c[5].equals("none")).isEqualTo(failing.isEmpty());
                assertThat(src.cpregs().minus(dst.cpregs())).as("%s %s->%s", c[0], c[1], c[2]).isEqualTo(RegSet.of(failing));
                assertThat(src.regs().minus(dst.regs())).isEqualTo(RegSet.of(failing));
                rows++;
            }
        }
        assertThat(rows).isEqualTo(3 * 9 * 8);
    }
}
