package dev.regshim.plan;

import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.Semantics;
import dev.regshim.profile.Profile;
import dev.regshim.profile.Provenance;
import dev.regshim.profile.source.ProfileSources;
import dev.regshim.regs.CpregArray;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The page itself, without a browser: self-contained, escaped, one cell per direction. */
class HtmlReportTest {

    static FleetPlan seedPlan() {
        return FleetPlanner.plan(Fleets.seed(), PlanSettings.of(Semantics.SERIES_V1, Accel.KVM).withBefore(Semantics.QEMU_STOCK));
    }

    @Test
    void selfContained() {
        String html = HtmlReport.render(seedPlan());
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<style>").contains("<script>");
        // nothing fetched: no external stylesheet, script, image or font
        assertThat(html).doesNotContainPattern("(?i)<link\\b").doesNotContainPattern("(?i)\\bsrc\\s*=")
                .doesNotContainPattern("(?i)href\\s*=\\s*\"?https?:").doesNotContain("@import").doesNotContain("url(");
    }

    @Test
    void oneCellPerDirectionWithItsVerdictClass() {
        String html = HtmlReport.render(seedPlan());
        Matcher m = Pattern.compile("<td class=\"cell (\\w+)\" id=\"cell-(before|after)-(\\d)-(\\d)\"").matcher(html);
        int before = 0, after = 0;
        while (m.find()) {
            if (m.group(2).equals("before")) {
                before++;
            } else {
                after++;
                assertThat(m.group(1)).isIn("loads", "conditional");
            }
        }
        assertThat(before).isEqualTo(6);
        assertThat(after).isEqualTo(6);
        assertThat(html).contains("<td class=\"cell fails\" id=\"cell-before-0-1\"")
                .contains("<td class=\"cell loss\" id=\"cell-before-2-0\"")
                .contains("<td class=\"cell none\">&middot;</td>");
        assertThat(html).contains("id=\"config-qemu\"").contains("id=\"config-libvirt\"").contains("id=\"config-c\"")
                .contains("static GlobalProperty arm_virt_reg_compat_10_1[]");
        assertThat(html).contains("id=\"verdict\" class=\"accepted\"");
    }

    @Test
    void untrustedTextIsEscapedEverywhere() {
        Profile k = ProfileSources.resolve("kernel:6.13");
        String evil = "</script><img src=x onerror=alert(1)>";
        Profile odd = new Profile(Provenance.of("list", evil), null, null, null, null,
                List.of(new Profile.Vcpu(0, CpregArray.idsOnly(k.vcpus().get(0).cpregs().idSet().union(
                        dev.regshim.regs.RegSet.ofIds(Fleets.TCR2))))), false, true);
        Fleet f = Fleet.of(List.of(new FleetHost("a", "kernel:6.13", k), new FleetHost("b", "x", odd),
                new FleetHost("c", "x", odd)));
        String html = HtmlReport.render(Fleets.plan(f, Semantics.SERIES_V1));
        assertThat(html).doesNotContain(evil).doesNotContain("<img");
        assertThat(html).contains("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;");
        // the cell data is JSON inside a script element: "</" never appears in it
        String data = html.substring(html.indexOf("id=\"cells-data\">"), html.indexOf("</script>", html.indexOf("id=\"cells-data\">")));
        assertThat(data).doesNotContain("</");
    }
}
