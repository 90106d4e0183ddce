package dev.regshim.lab.guest;

/**
 * One status line of the counter guest ({@code src/main/lab/counter.S}):
 * {@code counter n=<16 hex> el=<digit> tpidr_el0=<16 hex> tpidrro_el0=<16 hex> tpidr_el1=<16 hex>
 * contextidr_el1=<16 hex> isar1=<16 hex>}.
 *
 * @param lineNumber 1-based line number in the log it was parsed from
 */
public record CounterLine(int lineNumber, long count, int el, long tpidrEl0, long tpidrroEl0, long tpidrEl1,
                          long contextidrEl1, long isar1) {

    /** The registers the program set (and the exception level): what a migration must carry unchanged. */
    public boolean sameProgramState(CounterLine o) {
        return el == o.el && tpidrEl0 == o.tpidrEl0 && tpidrroEl0 == o.tpidrroEl0 && tpidrEl1 == o.tpidrEl1
                && contextidrEl1 == o.contextidrEl1;
    }

    public String registers() {
        return String.format("el=%d tpidr_el0=%016x tpidrro_el0=%016x tpidr_el1=%016x contextidr_el1=%016x isar1=%016x",
                el, tpidrEl0, tpidrroEl0, tpidrEl1, contextidrEl1, isar1);
    }
}
