package dev.regshim.util;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reader for the reference TSV tables shipped as resources. Column names come from a {@code # columns:} comment
 * line or, failing that, from the first non-comment row; a header row repeating the columns is skipped.
 */
public final class Tsv {

    private static final String COLUMNS_PREFIX = "# columns:";

    private Tsv() {
    }

    /** Rows of a classpath resource, each a column-name to value map (missing trailing cells are empty). */
    public static List<Map<String, String>> readResource(String path) {
        try (InputStream in = Tsv.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing bundled data " + path);
            }
            return read(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bundled data " + path, e);
        }
    }

    static List<Map<String, String>> read(BufferedReader r) throws IOException {
        List<String> columns = null;
        List<Map<String, String>> rows = new ArrayList<>();
        String line;
        while ((line = r.readLine()) != null) {
            if (line.startsWith(COLUMNS_PREFIX)) {
                columns = Arrays.asList(line.substring(COLUMNS_PREFIX.length()).trim().split("\t"));
                continue;
            }
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] cells = line.split("\t", -1);
            if (columns == null) {
                columns = Arrays.asList(cells);
                continue;
            }
            if (Arrays.asList(cells).equals(columns)) {
                continue;
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < columns.size(); i++) {
                row.put(columns.get(i).trim(), i < cells.length ? cells[i] : "");
            }
            rows.add(row);
        }
        return rows;
    }
}
