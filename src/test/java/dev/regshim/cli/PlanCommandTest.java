package dev.regshim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class PlanCommandTest {

    @TempDir
    Path tmp;

    private static final String[] SEED = {"--host", "k612=kernel:6.12", "--host", "k613=kernel:6.13", "--host", "k617=kernel:6.17"};

    private static String[] seed(String... more) {
        String[] all = new String[1 + SEED.length + more.length];
        all[0] = "plan";
        System.arraycopy(SEED, 0, all, 1, SEED.length);
        System.arraycopy(more, 0, all, 1 + SEED.length, more.length);
        return all;
    }

    @Test
    void theMachineTypeDefaultsToTheOneTheHostsStreamsRecord(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.mig");
        Path b = dir.resolve("b.mig");
        Files.write(a, dev.regshim.stream.Fixtures.stream("qemu-11.1/max"));
        Files.write(b, dev.regshim.stream.Fixtures.stream("qemu-11.1/a57"));
        Cli.Run r = Cli.run("plan", "--host", "a=" + a, "--host", "b=" + b, "-q", "--force");
        assertThat(r.out() + r.err()).contains("virt-11.1").doesNotContain("virt-10.1");
        Cli.Run mixed = Cli.run("plan", "--host", "a=" + a, "--host", "k=kernel:6.13", "-q", "--force");
        assertThat(mixed.out() + mixed.err()).contains("virt-10.1");
        Cli.Run given = Cli.run("plan", "--host", "a=" + a, "--host", "b=" + b, "--machine", "virt-10.2", "-q", "--force");
        assertThat(given.out() + given.err()).contains("virt-10.2").doesNotContain("virt-11.1");
    }

    @Test
    void seedFleetIsAccepted() {
        Cli.Run r = Cli.run(seed("--before", "qemu-stock"));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("regshim plan: 3 hosts in 3 classes, virt-10.1, series-v1")
                .contains("baseline: auto: k612 runs the oldest kernel in the fleet (6.12)")
                .containsPattern("fake +TCR2_EL1 +safe +k612")
                .containsPattern("hide +KVM_REG_ARM_VENDOR_HYP_BMAP_2 +conditional +k617")
                .containsPattern("k617 +LOSES +FAILS +\u00b7")
                .containsPattern("k617 \u2192 k612 +loads if +KVM_REG_ARM_VENDOR_HYP_BMAP_2 == 0")
                .contains("chains: 12 paths")
                .contains("verdict: ACCEPTED")
                .contains("--- qemu ---")
                .contains("-global driver=arm-cpu,property=kvm-enforced-regs,value=0x603000000013c103,,0x603000000013c512,,0x603000000013c513");
    }

    @Test
    void unsafeFleetExitsOneAndSaysWhy() {
        Cli.Run r = Cli.run("plan", "--host", "a=kernel:6.13", "--host", "b=kernel:6.13+pauth", "--semantics", "series-v2");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("verdict: NOT ACCEPTED")
                .containsPattern("cpu model +APIAKEYLO_EL1 \\.\\.\\. APGAKEYHI_EL1 \\(10\\) +unsafe +b +pointer authentication is "
                        + "visible to guests on b \\(ID_AA64ISAR1_EL1.APA/API/GPA/GPI\\), so they may use the register")
                .contains("b -> a: FAILS: a does not know APIAKEYLO_EL1")
                .contains("-cpu host,pauth=off");
        // a rejected plan emits no configuration (issue 15; it used to print the qemu form, with nothing to add)
        assertThat(r.out()).doesNotContain("--- qemu ---").doesNotContain("-global");
        assertThat(r.err()).startsWith("regshim plan: NOT ACCEPTED (1 problem(s)): no configuration emitted");
    }

    @Test
    void aRejectedPlanEmitsNothingUnlessForcedAndThenSaysSoInEveryForm() throws Exception {
        String[] unsafe = {"plan", "--host", "a=kernel:6.13", "--host", "b=kernel:6.13+pauth", "--host", "b2=kernel:6.13+pauth",
            "--semantics", "series-v2", "-q", "--emit", "all"};
        Cli.Run r = Cli.run(unsafe);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("regshim plan: NOT ACCEPTED (1 problem(s)): no configuration emitted")
                .contains("  - 6.13+pmu+pauth (hosts b, b2) -> a: FAILS: a does not know APIAKEYLO_EL1");
        String[] forced = java.util.Arrays.copyOf(unsafe, unsafe.length + 1);
        forced[unsafe.length] = "--force";
        Cli.Run f = Cli.run(forced);
        assertThat(f.exit()).isEqualTo(1);
        String out = f.out();
        assertThat(out).startsWith("# NOT ACCEPTED: this plan leaves 1 problem(s)")
                .contains("#   - 6.13+pmu+pauth (hosts b, b2) -> a: FAILS")
                .contains("<!--\n  NOT ACCEPTED: this plan leaves 1 problem(s)")
                .contains("/*\n * NOT ACCEPTED: this plan leaves 1 problem(s)");
        // the XML comment stays well-formed: no "--" inside it
        String xmlComment = out.substring(out.indexOf("<!--\n  NOT ACCEPTED") + 4, out.indexOf("-->", out.indexOf("<!--\n  NOT ACCEPTED")));
        assertThat(xmlComment).doesNotContain("--");
        JsonNode json = Json.MAPPER.readTree(out.substring(out.indexOf("{")));
        assertThat(json.get("accepted").asBoolean()).isFalse();
        assertThat(json.get("not_accepted")).hasSize(1);
        // an accepted plan carries no such marks
        Cli.Run ok = Cli.run(seed("-q", "--emit", "all"));
        assertThat(ok.out()).doesNotContain("NOT ACCEPTED").contains("\"accepted\" : true");
    }

    @Test
    void aStreamWithValuesIsNotSaidToCarryNone(@TempDir Path dir) throws Exception {
        Path a57 = dir.resolve("a57.mig");
        Files.write(a57, dev.regshim.stream.Fixtures.stream("qemu-7.2/a57"));
        Cli.Run r = Cli.run("plan", "--host", "a=kernel:6.6+pmu", "--host", "b=kernel:6.13", "--host", "c=" + a57);
        // a TCG stream carries register values but not the constant ID registers that tell a feature
        assertThat(r.out()).doesNotContain("neither kernel features nor")
                .contains("the profile of c has register values, but no ID_AA64PFR0_EL1.EL2 (which shows EL2 (nested virtualization))");
    }

    @Test
    void theHostsTableNamesTheHostsOfEachClass() {
        Cli.Run r = Cli.run("plan", "--host", "a=kernel:6.12", "--host", "b=kernel:6.13", "--host", "b2=kernel:6.13");
        assertThat(r.out()).containsPattern("\\n  6\\.13\\S* +2: b, b2 +kernel");
    }

    @Test
    void quietEmitsOnlyTheRequestedForms() {
        Cli.Run c = Cli.run(seed("-q", "--emit", "c"));
        assertThat(c.exit()).isZero();
        assertThat(c.out()).startsWith("/*\n * regshim plan for virt-10.1").contains("static GlobalProperty")
                .doesNotContain("verdict");
        Cli.Run both = Cli.run(seed("-q", "--emit", "libvirt,json"));
        assertThat(both.out()).startsWith("<!-- regshim plan").contains("\"format\" : \"regshim-compat/1\"");
        Cli.Run all = Cli.run(seed("--emit", "all"));
        assertThat(all.out()).contains("--- qemu ---").contains("--- libvirt ---").contains("--- c ---").contains("--- json ---");
    }

    @Test
    void jsonReport() throws Exception {
        JsonNode j = Json.MAPPER.readTree(Cli.run(seed("--json", "--semantics", "qemu-11.1")).out());
        assertThat(j.get("format").asText()).isEqualTo("regshim-plan/1");
        assertThat(j.get("accepted").asBoolean()).isTrue();
        assertThat(j.get("classes")).hasSize(3);
        assertThat(j.get("hosts").get(2).get("name").asText()).isEqualTo("k617");
        assertThat(j.get("after").get("cells")).hasSize(6);
        assertThat(j.get("entries").get(3).get("action").asText()).isEqualTo("built-in");
        assertThat(j.get("chains").get("paths").asInt()).isEqualTo(12);
        assertThat(j.get("compat").get("properties")).isEmpty();
    }

    @Test
    void fleetFileHtmlAndBaseline() throws Exception {
        Path fleet = tmp.resolve("fleet.txt");
        Files.writeString(fleet, "# the seed fleet\nk612=kernel:6.12\n\nk613=kernel:6.13\nk617=kernel:6.17\n");
        Path html = tmp.resolve("out.html");
        Cli.Run r = Cli.run("plan", "--fleet", fleet.toString(), "--baseline", "k617", "--html", html.toString(),
                "--machine", "virt-9.2");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("baseline: chosen with --baseline k617").contains("HTML report: " + html)
                .contains("regshim plan for virt-9.2");
        assertThat(Files.readString(html)).contains("arm_virt_reg_compat_9_2");
    }

    @Test
    void anErrorInAFleetFileLineNamesTheFileAndTheLine() throws Exception {
        // fuzz findings: a bad profile, host name or kernel in a fleet file was reported without saying where
        Path fleet = tmp.resolve("fleet.txt");
        Files.writeString(fleet, "# fleet\nk612=kernel:6.12\nk6x=kernel:6.\n");
        Cli.Run r = Cli.run("plan", "--fleet", fleet.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("regshim: " + fleet + " line 3: bad kernel version '6.'").hasLineCount(1);
        Files.writeString(fleet, "k612=kernel:6.12\n\nk612=kernel:6.13\n");
        assertThat(Cli.run("plan", "--fleet", fleet.toString()).err())
                .isEqualTo("regshim: " + fleet + " line 3: host name 'k612' is given twice\n");
        Files.writeString(fleet, "a=" + tmp.resolve("missing.json") + "\n");
        assertThat(Cli.run("plan", "--fleet", fleet.toString()).err())
                .startsWith("regshim: " + fleet + " line 1: no such file: " + tmp.resolve("missing.json"));
        Files.writeString(fleet, "# only comments\n");
        assertThat(Cli.run("plan", "--fleet", fleet.toString()).err())
                .isEqualTo("regshim: " + fleet + ": no NAME=PROFILE line in the fleet file\n");
        // a --host argument says itself what is wrong, as before
        assertThat(Cli.run("plan", "--host", "a=kernel:6.", "--fleet", fleet.toString()).err())
                .startsWith("regshim: bad kernel version '6.'");
    }

    @Test
    void badInputExitsTwoWithOneLine() throws Exception {
        assertThat(Cli.run("plan").err()).isEqualTo("regshim: a fleet needs at least one host (--host NAME=PROFILE)\n");
        assertThat(Cli.run("plan", "--host", "nonsense").exit()).isEqualTo(2);
        assertThat(Cli.run("plan", "--host", "nonsense").err()).startsWith("regshim: bad host 'nonsense': expected NAME=PROFILE");
        assertThat(Cli.run(seed("--baseline", "nope")).err()).startsWith("regshim: --baseline nope: no such host; hosts: k612, k613, k617");
        assertThat(Cli.run(seed("--emit", "xml")).err()).startsWith("regshim: unknown --emit form 'xml'");
        assertThat(Cli.run(seed("--machine", "pc-10.1")).err()).startsWith("regshim: bad machine type 'pc-10.1'");
        assertThat(Cli.run("plan", "--host", "a=kernel:6.99").err()).startsWith("regshim: unknown kernel version '6.99'");
        assertThat(Cli.run("plan", "--host", "a=kernel:6.12", "--host", "a=kernel:6.13").err())
                .isEqualTo("regshim: host name 'a' is given twice\n");
        Path nowhere = tmp.resolve("no/such/dir/report.html");
        assertThat(Cli.run(seed("--html", nowhere.toString())).err())
                .isEqualTo("regshim: cannot write " + nowhere + ": no such directory " + nowhere.getParent() + "\n");
        Path bad = tmp.resolve("bad.txt");
        Files.writeString(bad, "k612=kernel:6.12\njust-a-name\n");
        Cli.Run r = Cli.run("plan", "--fleet", bad.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("regshim: " + bad + " line 2: expected NAME=PROFILE, got 'just-a-name'\n");
    }

    @Test
    void benchPlanRuns() {
        Cli.Run r = Cli.run("bench", "plan", "--hosts", "300", "--runs", "1", "--baseline-hosts", "8",
                "--versions", "6.12,6.13,6.17", "--features", ";+sve");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("regshim bench plan: 300 hosts (kernels 6.12,6.13,6.17 x feature sets default +sve), 6 classes")
                .contains("plan, first run in this JVM").contains("baseline: host x host model matrix without classes, 8 hosts (64 runs)");
    }
}
