package dev.regshim.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.util.function.LongConsumer;

/**
 * The progress bar of long runs (bytes, rate, ETA) on standard error, through the progressbar library: shown only when
 * the process runs on a terminal, the input is large enough to take a while, and {@code -q} was not given. A run that
 * reads its input more than once (rewrite: read, write, verify) restarts the bar for each pass.
 */
final class Progress implements AutoCloseable {

    /** Smaller inputs finish before a bar would help (the property lowers it for tests that run on a terminal). */
    static final long MIN_BYTES = Long.getLong("regshim.progress.min-bytes", 64L << 20);
    private static final int UPDATE_MILLIS = 250;

    private final String task;
    private final long size;
    private ProgressBar bar;
    private long last;
    private int pass = 1;

    private Progress(String task, long size) {
        this.task = task;
        this.size = size;
    }

    /** A bar for {@code size} bytes (negative: unknown), or none (a no-op) when it should stay silent. */
    static Progress start(String task, long size, boolean quiet) {
        boolean show = !quiet && System.console() != null && (size < 0 || size >= MIN_BYTES);
        return show ? new Progress(task, size) : new Progress(null, size);
    }

    /** Feeds the bar with the number of bytes read so far. */
    LongConsumer consumer() {
        return task == null ? n -> { } : this::stepTo;
    }

    private synchronized void stepTo(long n) {
        if (bar == null || n < last) { // first call, or a new pass over the input
            if (bar != null) {
                bar.close();
                pass++;
            }
            bar = new ProgressBarBuilder().setTaskName(pass == 1 ? task : task + " (pass " + pass + ")")
                    .setInitialMax(size > 0 ? size : -1).setUnit(" MiB", 1L << 20).showSpeed()
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(UPDATE_MILLIS).continuousUpdate().build();
        }
        last = n;
        bar.stepTo(n);
    }

    @Override
    public synchronized void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
