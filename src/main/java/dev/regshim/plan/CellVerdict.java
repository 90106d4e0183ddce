package dev.regshim.plan;

/** One migration direction's verdict in a matrix. */
public enum CellVerdict {
    LOADS("loads", "loads"),
    /** Loads only while a value condition holds (shown with the cell). */
    CONDITIONAL("conditional", "loads if"),
    /** Loads, but guest state is dropped without a word (stock QEMU's tail skip) or a guest-visible register is dropped. */
    LOSS("loss", "LOSES"),
    FAILS("fails", "FAILS");

    private final String cssClass;
    private final String shortText;

    CellVerdict(String cssClass, String shortText) {
        this.cssClass = cssClass;
        this.shortText = shortText;
    }

    public String cssClass() {
        return cssClass;
    }

    public String shortText() {
        return shortText;
    }

    /** Whether a plan may accept a cell with this verdict. */
    public boolean acceptable() {
        return this == LOADS || this == CONDITIONAL;
    }
}
