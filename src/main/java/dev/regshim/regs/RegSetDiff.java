package dev.regshim.regs;

/** The result of comparing two register sets: what only the left has, what only the right has, and what both have. */
public record RegSetDiff(RegSet onlyLeft, RegSet onlyRight, RegSet common) {

    public boolean isEmpty() {
        return onlyLeft.isEmpty() && onlyRight.isEmpty();
    }
}
