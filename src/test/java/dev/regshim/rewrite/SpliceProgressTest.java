package dev.regshim.rewrite;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The splice's bookkeeping of where its copy has written, on which writing the tail early depends. */
class SpliceProgressTest {

    private static final long SIZE = 1_000_000;
    private static final long DEVICE_START = 900_000;

    @Test
    void aCopyThatRanPastTheDeviceStateBeforeItWasKnownIsNotBeforeIt() {
        SpliceWriter.Progress p = new SpliceWriter.Progress(SIZE);
        long pos = 0;
        for (long end = p.claim(pos); end > pos; end = p.claim(pos)) {
            pos = end;
            p.advance(pos);
            if (pos > DEVICE_START) {
                break; // the plan arrives now: the copy is past the device state's start
            }
        }
        assertThat(pos).isGreaterThan(DEVICE_START);
        p.prefix(DEVICE_START);
        assertThat(p.claim(pos)).as("the copy stops").isEqualTo(pos);
        assertThat(p.copyStaysBefore(DEVICE_START)).as("it wrote past the device state's start").isFalse();
    }

    @Test
    void aCopyStillBeforeTheDeviceStateStaysBeforeItOnceItIsKnown() {
        SpliceWriter.Progress p = new SpliceWriter.Progress(SIZE);
        long first = p.claim(0);
        p.advance(first);
        assertThat(first).isLessThan(DEVICE_START);
        p.prefix(DEVICE_START);
        assertThat(p.copyStaysBefore(DEVICE_START)).isTrue();
        long pos = first;
        for (long end = p.claim(pos); end > pos; end = p.claim(pos)) {
            assertThat(end).isLessThanOrEqualTo(DEVICE_START);
            pos = end;
            p.advance(pos);
        }
        assertThat(pos).isEqualTo(DEVICE_START);
        assertThat(p.copyStaysBefore(DEVICE_START)).isTrue();
    }

    @Test
    void aStepInFlightAcrossTheDeviceStateKeepsTheTailWaiting() {
        SpliceWriter.Progress p = new SpliceWriter.Progress(SIZE);
        long pos = 0;
        long end = p.claim(pos);
        while (end <= DEVICE_START) { // run steps until the one in flight crosses the device state's start
            pos = end;
            p.advance(pos);
            end = p.claim(pos);
        }
        p.prefix(DEVICE_START);
        assertThat(p.copyStaysBefore(DEVICE_START)).isFalse();
    }
}
