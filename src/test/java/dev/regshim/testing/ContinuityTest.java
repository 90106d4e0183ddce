package dev.regshim.testing;

import dev.regshim.lab.guest.CounterLine;
import dev.regshim.lab.guest.SerialLog;
import dev.regshim.lab.guest.Continuity;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The serial-log parser and the continuity rules, on logs in the counter guest's format. */
class ContinuityTest {

    private static final long ISAR1_MAX = 0x0011111101211012L;
    private static final long ISAR1_NOPAUTH = 0x0011111100211002L;

    private static String line(long n, long isar1) {
        return line(n, 1, CounterGuest.TPIDR_EL1, isar1);
    }

    private static String line(long n, int el, long tpidrEl1, long isar1) {
        return String.format("counter n=%016x el=%d tpidr_el0=%016x tpidrro_el0=%016x tpidr_el1=%016x"
                        + " contextidr_el1=%016x isar1=%016x\n", n, el, CounterGuest.TPIDR_EL0,
                CounterGuest.TPIDRRO_EL0, tpidrEl1, CounterGuest.CONTEXTIDR_EL1, isar1);
    }

    private static String lines(long from, long to, long isar1) {
        StringBuilder sb = new StringBuilder();
        for (long n = from; n <= to; n++) {
            sb.append(line(n, isar1));
        }
        return sb.toString();
    }

    @Test
    void parsesCounterLinesBannerAndPartialTail() {
        String text = "counter start el=1\n" + lines(0, 2, ISAR1_MAX) + "counter n=00000000000";
        SerialLog log = SerialLog.parse(text);
        assertThat(log.bannerLines()).containsExactly(1);
        assertThat(log.lines()).hasSize(3);
        CounterLine l = log.lines().get(2);
        assertThat(l.lineNumber()).isEqualTo(4);
        assertThat(l.count()).isEqualTo(2);
        assertThat(l.el()).isEqualTo(1);
        assertThat(CounterGuest.hasProgramValues(l)).isTrue();
        assertThat(l.isar1()).isEqualTo(ISAR1_MAX);
        assertThat(log.partialTail()).isEqualTo("counter n=00000000000");
        assertThat(log.unparsed()).isEmpty();
    }

    @Test
    void acceptsAnExactResume() {
        Continuity.Report r = Continuity.check("counter start el=1\n" + lines(0, 5, ISAR1_MAX),
                lines(6, 9, ISAR1_MAX), false);
        assertThat(r.ok()).as(r.problem()).isTrue();
        assertThat(r.sourceLast()).isEqualTo(5);
        assertThat(r.destinationFirst()).isEqualTo(6);
        assertThat(r.sourceLines()).isEqualTo(6);
        assertThat(r.destinationLines()).isEqualTo(4);
    }

    @Test
    void anIsar1ReadAfterTheMoveMayCompleteTheSourcesLastLine() {
        String cut = line(5, ISAR1_NOPAUTH);
        int at = cut.indexOf("isar1=") + "isar1=".length();
        String completed = line(5, ISAR1_MAX);
        Continuity.Report r = Continuity.check("counter start el=1\n" + lines(0, 4, ISAR1_NOPAUTH) + cut.substring(0, at),
                completed.substring(at) + lines(6, 8, ISAR1_MAX), true);
        assertThat(r.ok()).as(r.problem()).isTrue();
        assertThat(Continuity.check("counter start el=1\n" + lines(0, 4, ISAR1_NOPAUTH) + cut.substring(0, at),
                completed.substring(at) + lines(6, 8, ISAR1_MAX), false).ok()).isFalse();
    }

    @Test
    void joinsALineTheSourceWasStoppedIn() {
        String whole = line(6, ISAR1_MAX);
        int cut = 31;
        Continuity.Report r = Continuity.check(lines(0, 5, ISAR1_MAX) + whole.substring(0, cut),
                whole.substring(cut) + lines(7, 8, ISAR1_MAX), false);
        assertThat(r.ok()).as(r.problem()).isTrue();
        assertThat(r.sourceLast()).isEqualTo(6);
        assertThat(r.destinationFirst()).isEqualTo(7);
    }

    @Test
    void rejectsAGapOrARepeat() {
        assertThat(Continuity.check(lines(0, 5, ISAR1_MAX), lines(7, 9, ISAR1_MAX), false).problem())
                .isEqualTo("line 7: n=7 follows n=5 (expected n=6)");
        assertThat(Continuity.check(lines(0, 5, ISAR1_MAX), lines(5, 9, ISAR1_MAX), false).ok()).isFalse();
    }

    @Test
    void rejectsARestartedGuest() {
        Continuity.Report r = Continuity.check("counter start el=1\n" + lines(0, 3, ISAR1_MAX),
                "counter start el=1\n" + lines(4, 5, ISAR1_MAX), false);
        assertThat(r.problem()).contains("boot banner").contains("restarted");
    }

    @Test
    void rejectsChangedProgramRegisters() {
        String dst = line(4, 1, 0, ISAR1_MAX) + line(5, 1, 0, ISAR1_MAX);
        assertThat(Continuity.check(lines(0, 3, ISAR1_MAX), dst, true).problem())
                .startsWith("line 5: registers changed");
        String el2 = line(4, 2, CounterGuest.TPIDR_EL1, ISAR1_MAX);
        assertThat(Continuity.check(lines(0, 3, ISAR1_MAX), el2, false).ok()).isFalse();
    }

    @Test
    void isar1MayChangeOnlyAtTheBoundaryAndOnlyWhenAllowed() {
        String src = lines(0, 3, ISAR1_MAX);
        String dst = lines(4, 6, ISAR1_NOPAUTH);
        assertThat(Continuity.check(src, dst, false).problem()).isEqualTo(
                "line 5: isar1 changed from 0011111101211012 to 0011111100211002");
        assertThat(Continuity.check(src, dst, true).ok()).isTrue();
        String flapping = line(4, ISAR1_NOPAUTH) + line(5, ISAR1_MAX);
        assertThat(Continuity.check(src, flapping, true).ok()).isFalse();
    }

    @Test
    void needsOutputFromBothSidesAndNoGarbage() {
        assertThat(Continuity.check("", lines(0, 1, ISAR1_MAX), false).problem()).contains("source printed no");
        assertThat(Continuity.check(lines(0, 1, ISAR1_MAX), "counter n=0000", false).problem())
                .contains("destination printed no");
        assertThat(Continuity.check(lines(0, 1, ISAR1_MAX), "garbage\n" + lines(2, 3, ISAR1_MAX), false)
                .problem()).isEqualTo("unexpected serial output at line 3: garbage");
    }
}
