package dev.regshim.testing;

import dev.regshim.lab.guest.CounterLine;

import java.nio.file.Path;

/** The counter guest program ({@code src/test/guest/counter.S}) and the register values it sets. */
public final class CounterGuest {

    public static final long TPIDR_EL0 = 0x7265677368696d30L;
    public static final long TPIDRRO_EL0 = 0xfeedface00c0ffeeL;
    public static final long TPIDR_EL1 = 0x0123456789abcdefL;
    public static final long CONTEXTIDR_EL1 = 0x00000000c0de5eedL;
    /** Lines per second the program aims at (CNTFRQ_EL0 / 10 ticks apart). */
    public static final int LINES_PER_SECOND = 10;

    private CounterGuest() {
    }

    /** counter.elf, built (and cached) from source. */
    public static Path elf() {
        return GuestPrograms.build("counter");
    }

    /** True when a line carries exactly the values the program wrote. */
    public static boolean hasProgramValues(CounterLine l) {
        return l.tpidrEl0() == TPIDR_EL0 && l.tpidrroEl0() == TPIDRRO_EL0 && l.tpidrEl1() == TPIDR_EL1
                && l.contextidrEl1() == CONTEXTIDR_EL1;
    }
}
