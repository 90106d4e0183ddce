package dev.regshim.lab;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LabTranscriptTest {

    @Test
    void aReportJoinedToADebugLineIsStillRead() {
        LabTranscript t = new LabTranscript();
        // seen on a loaded machine: HMP's prompt has no newline, so the next report shares the console line
        t.line("@@ lab debug hmp: (qemu) @@ migrate completed");
        t.line("@@ migrate failed\r");
        assertThat(t.migrations()).containsExactly("completed", "failed");
    }

    @Test
    void ordinaryLinesAreContextAndReportsAreRead() {
        LabTranscript t = new LabTranscript();
        t.line("[    1.234] kernel says @@ migrate completed");
        t.line("@@ lab event status running");
        assertThat(t.migrations()).isEmpty();
        assertThat(t.hasEvent("status running")).isTrue();
    }

    @Test
    void theLastStatusAndHowManyRunsWereReported() {
        LabTranscript t = new LabTranscript();
        assertThat(t.lastStatus()).isNull();
        t.line("@@ lab event status paused");
        t.line("@@ lab event ran");
        assertThat(t.lastStatus()).isEqualTo("paused");
        t.line("@@ lab event status running");
        t.line("@@ lab event ran");
        assertThat(t.lastStatus()).isEqualTo("running");
        assertThat(t.eventCount("ran")).isEqualTo(2);
        assertThat(t.eventCount("status")).isEqualTo(2);
    }
}
