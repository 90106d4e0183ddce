package dev.regshim.plan;

import dev.regshim.testing.Chromium;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTML report in real headless Chromium: the page renders with the matrix colours, and clicking a failing cell
 * (driven by the page's own {@code #cell=} link handler, which clicks the cell) fills the popup with that direction's
 * registers, QEMU's lines and the fix.
 */
@Tag("chromium")
class HtmlChromiumTest {

    @TempDir
    Path tmp;

    private Path report() throws Exception {
        Path html = tmp.resolve("plan.html");
        Files.writeString(html, HtmlReport.render(HtmlReportTest.seedPlan()));
        return html;
    }

    private static String tdClass(String dom, String id) {
        Matcher m = Pattern.compile("<td class=\"([^\"]*)\" id=\"" + Pattern.quote(id) + "\"").matcher(dom);
        assertThat(m.find()).as("cell " + id + " in the DOM").isTrue();
        return m.group(1);
    }

    @Test
    void clickingAFailingCellShowsItsRegistersAndFix() throws Exception {
        Chromium chromium = Chromium.require();
        Path html = report();
        String dom = chromium.dumpDom(html.toUri() + "#cell=before-0-1", tmp);
        assertThat(tdClass(dom, "cell-before-0-1")).isEqualTo("cell fails selected");
        assertThat(tdClass(dom, "cell-before-2-0")).isEqualTo("cell loss");
        assertThat(tdClass(dom, "cell-after-2-0")).isEqualTo("cell conditional");
        assertThat(tdClass(dom, "cell-after-0-1")).isEqualTo("cell loads");
        int start = dom.indexOf("<div id=\"popup\"");
        assertThat(start).isNotNegative();
        String popup = dom.substring(start, dom.indexOf("</div></div>", start));
        assertThat(popup).contains("data-open=\"before-0-1\"").doesNotContain(" hidden");
        assertThat(popup).contains("6.12 \u2192 6.13")
                .contains("FAILS: Invalid value 258 expecting positive value &lt;= 255")
                .contains("6.13 does not know TCR2_EL1, PIRE0_EL1, PIR_EL1")
                .contains("<td>TCR2_EL1</td><td>0x603000000013c103</td><td>in the stream, unknown to the destination</td><td>safe</td>")
                .contains("qemu-system-aarch64: Failed to load cpu:cpreg_vmstate_array_len")
                .contains("fake TCR2_EL1, PIRE0_EL1, PIR_EL1 where missing (kvm-enforced-regs)");
        // without a link, no popup
        String plain = chromium.dumpDom(html.toUri().toString(), tmp);
        assertThat(plain).contains("<div id=\"popup\" hidden=\"\">").doesNotContain("cell fails selected");
    }

    @Test
    void screenshotShowsTheMatrixColours() throws Exception {
        Chromium chromium = Chromium.require();
        Path png = chromium.screenshot(report().toUri().toString(), tmp.resolve("plan.png"), 1400, 1200, tmp);
        assertThat(Files.size(png)).isGreaterThan(20_000);
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(1400);
        assertThat(pixels(img, HtmlReport.FAILS_COLOUR)).as("red (fails) pixels").isGreaterThan(500);
        assertThat(pixels(img, HtmlReport.LOADS_COLOUR)).as("green (loads) pixels").isGreaterThan(500);
        assertThat(pixels(img, HtmlReport.CONDITIONAL_COLOUR)).as("amber (conditional) pixels").isGreaterThan(500);
        assertThat(pixels(img, HtmlReport.LOSS_COLOUR)).as("purple (loss) pixels").isGreaterThan(200);
    }

    private static long pixels(BufferedImage img, String hex) {
        int want = Integer.parseInt(hex.substring(1), 16);
        long n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xffffff) == want) {
                    n++;
                }
            }
        }
        return n;
    }
}
