package dev.regshim.lab;

import dev.regshim.util.SafeFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code regshim lab matrix}: every ordered pair of a set of kernels, on one host and QEMU series. Each source is
 * saved once and loaded directly on every other kernel; a direction that fails is then tried through
 * {@code regshim rewrite} and live through {@code regshim proxy}. Each result is handed to a listener as it comes.
 */
public final class LabMatrix {

    /** One direction: the direct load, and for a failing one the rewrite and proxy attempts. */
    public record Row(String from, String to, LabReport direct, LabReport rewrite, LabReport proxy, String error) {

        /** A direction is good when it loads with the guest continuing, or every path that fails is refused by regshim. */
        public boolean good() {
            if (error != null) {
                return false;
            }
            boolean exact = direct.predictionExact().orElse(true);
            if (direct.guestContinued()) {
                return exact;
            }
            return exact && settled(rewrite) && settled(proxy);
        }

        /** Loaded with the guest continuing, or refused by regshim before the destination (a register named). */
        private static boolean settled(LabReport r) {
            if (r == null) {
                return false;
            }
            if (r.guestContinued()) {
                return r.predictionExact().orElse(true);
            }
            return Boolean.FALSE.equals(r.rewriteWritten())
                    || (r.proxy() != null && !r.destinationReached() && !Boolean.FALSE.equals(r.sourceContinued()))
                    || (r.refusedByProxy() && Boolean.TRUE.equals(r.sourceContinued()));
        }
    }

    private final Consumer<String> progress;

    public LabMatrix(Consumer<String> progress) {
        this.progress = progress;
    }

    /**
     * As {@link #run}, keeping the saved sources in {@code work}, or when it is null in a temporary directory removed
     * afterwards.
     */
    public List<Row> runIn(Path work, List<String> kernels, LabHost host, String qemu, LabMigration.Guest guest,
                           Consumer<Row> each) throws IOException {
        Path dir = work != null ? work : Files.createTempDirectory("regshim-matrix-");
        try {
            return run(kernels, host, qemu, guest, dir, each);
        } finally {
            if (work == null) {
                SafeFiles.deleteTree(dir);
            }
        }
    }

    /**
     * @param kernels the kernels, each both source and destination
     * @param work    where the saved sources are kept while the matrix runs
     */
    public List<Row> run(List<String> kernels, LabHost host, String qemu, LabMigration.Guest guest, Path work,
                         Consumer<Row> each) throws IOException {
        LabMigration lab = new LabMigration(progress);
        Files.createDirectories(work);
        Map<String, LabMigration.SavedSource> saved = new LinkedHashMap<>();
        for (String k : kernels) {
            progress.accept("matrix: saving a guest on " + k);
            saved.put(k, lab.save(k, host, qemu, guest, work.resolve("source-" + k + ".mig")));
        }
        List<Row> rows = new ArrayList<>();
        for (String from : kernels) {
            for (String to : kernels) {
                if (from.equals(to)) {
                    continue;
                }
                Row row = direction(lab, from, to, host, qemu, guest, saved.get(from));
                rows.add(row);
                each.accept(row);
            }
        }
        return rows;
    }

    private Row direction(LabMigration lab, String from, String to, LabHost host, String qemu, LabMigration.Guest guest,
                          LabMigration.SavedSource source) {
        LabMigration.Request base = new LabMigration.Request(from, to, host, qemu, LabMigration.Via.DIRECT, guest,
                LabMigration.BOOT, null, source, true);
        progress.accept("matrix: " + from + " -> " + to + " direct");
        LabReport direct;
        try {
            direct = lab.run(base);
        } catch (LabException e) {
            return new Row(from, to, null, null, null, e.getMessage());
        }
        if (direct.loaded() && direct.guestContinued()) {
            return new Row(from, to, direct, null, null, null);
        }
        // a path the lab cannot run (e.g. no modules for the network) leaves the others' results standing
        LabReport rewrite = null;
        LabReport proxy = null;
        List<String> errors = new ArrayList<>();
        try {
            progress.accept("matrix: " + from + " -> " + to + " rewrite");
            rewrite = lab.run(base.withTo(to, LabMigration.Via.REWRITE, source));
        } catch (LabException e) {
            errors.add("rewrite: " + e.getMessage());
        }
        try {
            progress.accept("matrix: " + from + " -> " + to + " proxy");
            proxy = lab.run(base.withTo(to, LabMigration.Via.PROXY, null));
        } catch (LabException e) {
            errors.add("proxy: " + e.getMessage());
        }
        return new Row(from, to, direct, rewrite, proxy, errors.isEmpty() ? null : String.join("; ", errors));
    }
}
