package dev.regshim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class KernelCommandTest {

    private static final Pattern ROW = Pattern.compile("(?m)^  (0x[0-9a-f]{16})  (\\S+)");

    /** Register names printed in the "only in" section titled {@code title}. */
    private static List<String> namesUnder(String out, String title) {
        int start = out.indexOf(title);
        if (start < 0) {
            return List.of();
        }
        int end = out.indexOf("only in ", start + title.length());
        String section = out.substring(start, end < 0 ? out.length() : end);
        List<String> names = new ArrayList<>();
        Matcher m = ROW.matcher(section);
        while (m.find()) {
            names.add(m.group(2));
        }
        return names;
    }

    @Test
    void diff612To613NamesExactlyTheThreeHiddenRegisters() {
        Cli.Run r = Cli.run("kernel", "diff", "6.12", "6.13");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(namesUnder(r.out(), "only in 6.12+pmu")).containsExactly("TCR2_EL1", "PIRE0_EL1", "PIR_EL1");
        assertThat(r.out()).doesNotContain("only in 6.13");
        assertThat(r.out()).contains("tcr2_visibility").contains("s1pie_visibility");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void diff614To617NamesBmap2AsNew() {
        Cli.Run r = Cli.run("kernel", "diff", "6.14", "6.17");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(namesUnder(r.out(), "only in 6.17+pmu")).containsExactly("KVM_REG_ARM_VENDOR_HYP_BMAP_2");
        assertThat(r.out()).doesNotContain("only in 6.14");
    }

    @Test
    void identicalSpecsExitZero() {
        Cli.Run r = Cli.run("kernel", "diff", "6.6", "v6.10");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("the lists are identical");
    }

    @Test
    void diffJson() throws Exception {
        Cli.Run r = Cli.run("kernel", "diff", "6.14", "6.15", "--json");
        assertThat(r.exit()).isEqualTo(1);
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertThat(j.get("a").get("inferred").asBoolean()).isFalse();
        assertThat(j.get("b").get("inferred").asBoolean()).isTrue();
        assertThat(j.get("only_in_a")).isEmpty();
        assertThat(j.get("only_in_b")).hasSize(1);
        assertThat(j.get("only_in_b").get(0).get("name").asText()).isEqualTo("KVM_REG_ARM_VENDOR_HYP_BMAP_2");
        assertThat(j.get("only_in_b").get(0).get("why_not_listed_in_other").asText()).contains("first listed in 6.15");
    }

    @Test
    void showMarksInferredVersionsAndExplainsRows() throws Exception {
        Cli.Run r = Cli.run("kernel", "show", "6.15");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("kernel 6.15+pmu (inferred): 331 registers in KVM_GET_REG_LIST, 256 in QEMU's cpreg list");
        assertThat(r.out()).contains("INFERRED");
        assertThat(r.out()).as("TCR2 is not listed on the default 6.15 host").doesNotContain("TCR2_EL1")
                .contains("KVM_REG_ARM_VENDOR_HYP_BMAP_2");
        Cli.Run observed = Cli.run("kernel", "show", "6.16");
        assertThat(observed.out()).startsWith("kernel 6.16+pmu: 331 registers in KVM_GET_REG_LIST").doesNotContain("INFERRED");
        Cli.Run shown613 = Cli.run("kernel", "show", "6.13+tcr2");
        assertThat(shown613.out()).containsPattern("0x603000000013c103  TCR2_EL1 +S3_0_C2_C0_3 +sys_reg_descs, tcr2_visibility");
        Cli.Run cpreg = Cli.run("kernel", "show", "6.13", "--cpreg-only");
        assertThat(cpreg.out()).doesNotContain("core.").contains("(showing the cpreg list)");
        assertThat(cpreg.out().lines().filter(l -> l.startsWith("  0x")).count()).isEqualTo(255);

        JsonNode j = Json.MAPPER.readTree(Cli.run("kernel", "show", "6.15+sve", "--json").out());
        assertThat(j.get("inferred").asBoolean()).isTrue();
        assertThat(j.get("spec").asText()).isEqualTo("6.15+pmu+sve");
        assertThat(j.get("registers")).hasSize(j.get("count").asInt());
        assertThat(j.get("count").asInt()).isEqualTo(360 - 10);
    }

    @Test
    void listShowsVersionsInferredAndFeatures() throws Exception {
        Cli.Run r = Cli.run("kernel", "list");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).containsPattern("6\\.15 +INFERRED").containsPattern("6\\.16 +derived").containsPattern("6\\.13 +read")
                .containsPattern("7\\.3 +derived");
        for (String f : List.of("pmu", "sve", "pauth", "mte", "el2 (nv)", "e2h0", "tcr2", "s1pie", "s1poe", "sctlr2", "fpmr", "clidr=HEX")) {
            assertThat(r.out()).contains("  " + f);
        }
        assertThat(r.out()).contains("SCTLR2_EL1");
        JsonNode j = Json.MAPPER.readTree(Cli.run("kernel", "list", "--json").out());
        assertThat(j.get("versions")).hasSize(16);
        assertThat(j.get("versions").get(7).get("version").asText()).isEqualTo("6.15");
        assertThat(j.get("versions").get(7).get("inferred").asBoolean()).isTrue();
        assertThat(j.get("features").get(0).get("default").asBoolean()).isTrue();
    }

    @Test
    void badSpecsExitTwoWithOneLine() {
        Cli.Run r = Cli.run("kernel", "show", "6.13+sme");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip()).startsWith("regshim: unknown kernel feature 'sme'").doesNotContain("\n").doesNotContain("Exception");
        Cli.Run v = Cli.run("kernel", "diff", "6.12", "5.15");
        assertThat(v.exit()).isEqualTo(2);
        assertThat(v.err()).startsWith("regshim: unknown kernel version '5.15'");
        assertThat(Cli.run("kernel", "show").exit()).isEqualTo(2);
    }
}
