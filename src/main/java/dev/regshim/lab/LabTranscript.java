package dev.regshim.lab;

import java.util.ArrayList;
import java.util.List;

/**
 * What a lab host printed on its console, as {@code lab-init.sh} reports it ("@@ WORD ..." lines; anything else is
 * kernel noise, kept only as context for errors). Thread-safe: the console pump feeds it while the orchestration
 * waits on it.
 */
final class LabTranscript {

    static final String PREFIX = "@@ ";
    static final int CONTEXT_LINES = 30;

    private final List<String> events = new ArrayList<>();
    private final List<String> qemuErr = new ArrayList<>();
    private final StringBuilder guest = new StringBuilder();
    private final List<String> context = new ArrayList<>();
    private final List<String> migrations = new ArrayList<>();
    private String release;
    private String error;
    private Integer qemuExit;
    private boolean done;
    private boolean ended;

    synchronized void line(String raw) {
        String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
        // a report written right after output that lacked its newline (HMP's prompt) shares its console line
        int joined = line.indexOf(" " + PREFIX, PREFIX.length());
        if (line.startsWith(PREFIX) && joined > 0) {
            line(line.substring(0, joined));
            line(line.substring(joined + 1));
            return;
        }
        if (!line.startsWith(PREFIX)) {
            if (!line.isBlank()) {
                context.add(line);
                if (context.size() > CONTEXT_LINES) {
                    context.remove(0);
                }
            }
            return;
        }
        String body = line.substring(PREFIX.length());
        int sp = body.indexOf(' ');
        String word = sp < 0 ? body : body.substring(0, sp);
        String rest = sp < 0 ? "" : body.substring(sp + 1);
        switch (word) {
            case "lab" -> lab(rest);
            case "qemu-err" -> qemuErr.add(rest);
            case "qemu-exit" -> qemuExit = parseInt(rest);
            case "migrate" -> migrations.add(rest.strip());
            case "guest" -> guest.append(rest).append('\n');
            case "guest-partial" -> guest.append(rest);
            default -> context.add(line);
        }
        notifyAll();
    }

    private void lab(String rest) {
        int sp = rest.indexOf(' ');
        String what = sp < 0 ? rest : rest.substring(0, sp);
        String arg = sp < 0 ? "" : rest.substring(sp + 1);
        switch (what) {
            case "release" -> release = arg;
            case "event" -> events.add(arg);
            case "error" -> error = arg;
            case "done" -> done = true;
            case "debug" -> context.add("debug: " + arg);
            default -> { }
        }
    }

    private static Integer parseInt(String s) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The outer VM is gone (its console closed). */
    synchronized void ended() {
        ended = true;
        notifyAll();
    }

    /** Waits until {@code test} holds, the VM ends, or the deadline passes; returns whether it holds. */
    synchronized boolean await(java.util.function.BooleanSupplier test, long deadlineNanos) throws InterruptedException {
        while (!test.getAsBoolean()) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0 || ended) {
                return test.getAsBoolean();
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    synchronized boolean hasEvent(String prefix) {
        return events.stream().anyMatch(e -> e.startsWith(prefix));
    }

    synchronized long eventCount(String prefix) {
        return events.stream().filter(e -> e.startsWith(prefix)).count();
    }

    /** The VM status the host reported last ({@code running}, {@code paused}, ...), or null. */
    synchronized String lastStatus() {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (events.get(i).startsWith("status ")) {
                return events.get(i).substring("status ".length()).strip();
            }
        }
        return null;
    }

    synchronized List<String> events() {
        return List.copyOf(events);
    }

    synchronized List<String> qemuErr() {
        return List.copyOf(qemuErr);
    }

    synchronized Integer qemuExit() {
        return qemuExit;
    }

    synchronized String guest() {
        return guest.toString();
    }

    synchronized List<String> migrations() {
        return List.copyOf(migrations);
    }

    synchronized String release() {
        return release;
    }

    synchronized String error() {
        return error;
    }

    synchronized boolean done() {
        return done;
    }

    synchronized boolean isEnded() {
        return ended;
    }

    synchronized List<String> context() {
        return List.copyOf(context);
    }
}
