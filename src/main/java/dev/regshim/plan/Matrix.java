package dev.regshim.plan;

import dev.regshim.cpreg.LoadSettings;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Every ordered pair of host classes with the model's verdict: rows are sources, columns destinations. The diagonal
 * (migration between two hosts of one class) is present only for classes with more than one host.
 */
public final class Matrix {

    private final String title;
    private final LoadSettings settings;
    private final Cell[][] cells;

    Matrix(String title, LoadSettings settings, Cell[][] cells) {
        this.title = title;
        this.settings = settings;
        this.cells = cells;
    }

    /** E.g. {@code series-v1 with the plan}. */
    public String title() {
        return title;
    }

    public LoadSettings settings() {
        return settings;
    }

    public int size() {
        return cells.length;
    }

    /** The cell, or null for the diagonal of a single-host class. */
    public Cell cell(int from, int to) {
        return cells[from][to];
    }

    public Stream<Cell> cells() {
        return Stream.of(cells).flatMap(Stream::of).filter(Objects::nonNull);
    }

    public List<Cell> unacceptable() {
        List<Cell> out = new ArrayList<>();
        cells().filter(c -> !c.verdict().acceptable()).forEach(out::add);
        return out;
    }

    public long count(CellVerdict v) {
        return cells().filter(c -> c.verdict() == v).count();
    }
}
