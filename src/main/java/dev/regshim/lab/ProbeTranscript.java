package dev.regshim.lab;

import dev.regshim.kernel.KernelFeature;
import dev.regshim.kernel.capture.CapturedSet;
import dev.regshim.regs.RegId;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * Reads what the KVM probe ({@code kvm-probe.c}) printed on the serial console: protocol lines start with
 * {@value #PREFIX}, everything else (kernel messages) is kept only as the last lines of context for errors. Each
 * set's register lines are checked against the count and CRC-32 the probe prints at its end, so a line garbled by an
 * interleaved kernel message is detected, never taken for data.
 */
final class ProbeTranscript {

    static final String PREFIX = "@@ ";
    static final int PROTOCOL = 1;
    static final int CONTEXT_LINES = 20;

    private final Map<String, Set<KernelFeature>> requested;
    private final List<String> context = new ArrayList<>();
    private final Map<String, Integer> caps = new LinkedHashMap<>();
    private final List<CapturedSet> sets = new ArrayList<>();
    private final List<dev.regshim.kernel.capture.ValueTrial> trials = new ArrayList<>();
    private final Map<String, List<long[]>> trialValues;
    // the trial being read
    private String trialLabel;
    private String trialSet;
    private List<dev.regshim.kernel.capture.ValueTrial.Entry> trialEntries;
    private int trialIndex;
    private String release;
    private String unameVersion;
    private String cmdline;
    private String midr;
    private Integer kvmAbsentErrno;
    private boolean started;
    private boolean done;
    private long bootMs = -1;
    private long endMs = -1;
    private String error;

    // the set being read
    private String setName;
    private int target;
    private final List<Long> ids = new ArrayList<>();
    private final List<String> values = new ArrayList<>();
    private final List<Integer> errnos = new ArrayList<>();
    private final TreeMap<Integer, Long> masks = new TreeMap<>();
    private final CRC32 crc = new CRC32();

    /** @param requested the sets the probe was asked for, by name, with their features */
    ProbeTranscript(Map<String, Set<KernelFeature>> requested) {
        this(requested, Map.of());
    }

    /** @param trialValues per trial label, the (id, value) pairs written, in order */
    ProbeTranscript(Map<String, Set<KernelFeature>> requested, Map<String, List<long[]>> trialValues) {
        this.requested = requested;
        this.trialValues = trialValues;
    }

    /** Feeds one console line (a trailing CR is dropped). */
    synchronized void line(String raw) {
        String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
        if (!line.startsWith(PREFIX)) {
            if (!line.isBlank()) {
                context.add(line);
                if (context.size() > CONTEXT_LINES) {
                    context.remove(0);
                }
            }
            return;
        }
        if (error != null || done) {
            return;
        }
        try {
            protocol(line.substring(PREFIX.length()));
        } catch (RuntimeException e) {
            error = "unreadable probe line '" + dev.regshim.util.Text.safe(line, 80) + "': " + e.getMessage();
        }
    }

    private void protocol(String body) {
        String[] w = body.split(" ", 3);
        switch (w[0]) {
            case "probe" -> {
                if (Integer.parseInt(w[1]) != PROTOCOL) {
                    throw new IllegalArgumentException("probe protocol " + w[1] + ", expected " + PROTOCOL);
                }
                started = true;
            }
            case "boot-ms" -> bootMs = Long.parseLong(w[1]);
            case "release" -> release = rest(body, 1);
            case "uname-version" -> unameVersion = rest(body, 1);
            case "cmdline" -> cmdline = rest(body, 1);
            case "midr" -> midr = rest(body, 1);
            case "kvm" -> {
                if (w[1].equals("absent")) {
                    kvmAbsentErrno = Integer.parseInt(w[2]);
                }
            }
            case "cap" -> caps.put(w[1], Integer.parseInt(w[2].strip()));
            case "set" -> set(body.split(" "));
            case "target" -> target = Integer.parseInt(w[1]);
            case "reg" -> reg(body, w);
            case "mask" -> masks.put(Integer.parseInt(w[1]), Long.parseUnsignedLong(w[2].strip(), 16));
            case "try" -> trial(body.split(" "));
            case "done" -> done = true;
            case "error" -> throw new IllegalArgumentException(rest(body, 1));
            default -> throw new IllegalArgumentException("unknown word " + w[0]);
        }
    }

    private void set(String[] w) {
        String name = w[1];
        Set<KernelFeature> features = requested.get(name);
        if (features == null) {
            throw new IllegalArgumentException("set " + name + " was not asked for");
        }
        switch (w[2]) {
            case "begin" -> {
                setName = name;
                target = 0;
                ids.clear();
                values.clear();
                errnos.clear();
                masks.clear();
                crc.reset();
            }
            case "refused" -> {
                sets.add(CapturedSet.refused(name, features, new CapturedSet.Refusal(w[3], Integer.parseInt(w[4]))));
                setName = null;
            }
            case "end" -> {
                if (!name.equals(setName)) {
                    throw new IllegalArgumentException("end of set " + name + " without its begin");
                }
                long count = Long.parseLong(w[3]);
                long expectCrc = Long.parseLong(w[4], 16);
                if (count != ids.size()) {
                    throw new IllegalArgumentException("set " + name + ": " + ids.size() + " register lines, the probe counted " + count);
                }
                if (expectCrc != crc.getValue()) {
                    throw new IllegalArgumentException("set " + name + ": register lines garbled on the console (CRC mismatch)");
                }
                if (w.length > 5) {
                    endMs = Long.parseLong(w[5]);
                }
                sets.add(new CapturedSet(name, features, null, target, ids.stream().mapToLong(Long::longValue).toArray(),
                        values.toArray(new String[0]), errnos.stream().mapToInt(Integer::intValue).toArray(), masks));
                setName = null;
            }
            default -> throw new IllegalArgumentException("unknown set event " + w[2]);
        }
    }

    private void trial(String[] w) {
        if (w.length >= 4 && w[2].equals("begin")) {
            trialLabel = w[1];
            trialSet = w[3];
            trialEntries = new ArrayList<>();
            trialIndex = 0;
            return;
        }
        if (w.length >= 4 && w[2].equals("end")) {
            if (!w[1].equals(trialLabel)) {
                throw new IllegalArgumentException("end of trial " + w[1] + " without its begin");
            }
            trials.add(new dev.regshim.kernel.capture.ValueTrial(trialLabel, trialSet, trialEntries));
            trialLabel = null;
            return;
        }
        if (w.length >= 3 && w[2].equals("refused")) {
            trialLabel = null; // KVM refused the fresh vCPU: the set itself was reported refused above
            return;
        }
        if (trialLabel == null || w.length < 3) {
            throw new IllegalArgumentException("trial result outside a trial");
        }
        long id = Long.parseUnsignedLong(w[1], 16);
        List<long[]> asked = trialValues.get(trialLabel);
        if (asked == null || trialIndex >= asked.size() || asked.get(trialIndex)[0] != id) {
            throw new IllegalArgumentException("trial " + trialLabel + ": result for a write not asked for");
        }
        long value = asked.get(trialIndex++)[1];
        int errno = w[2].equals("ok") ? 0 : Integer.parseInt(w[2].substring(1));
        trialEntries.add(new dev.regshim.kernel.capture.ValueTrial.Entry(id, value, errno));
    }

    synchronized List<dev.regshim.kernel.capture.ValueTrial> trials() {
        return List.copyOf(trials);
    }

    private void reg(String body, String[] w) {
        if (setName == null) {
            throw new IllegalArgumentException("register outside a set");
        }
        crc.update(body.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        long id = Long.parseUnsignedLong(w[1], 16);
        String v = w[2].strip();
        if (v.startsWith("!")) {
            ids.add(id);
            values.add(null);
            errnos.add(Integer.parseInt(v.substring(1)));
            return;
        }
        if (v.length() != 2 * RegId.of(id).sizeBytes() || !v.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("bad value for " + RegId.of(id).hex());
        }
        ids.add(id);
        values.add(v.toLowerCase(java.util.Locale.ROOT));
        errnos.add(0);
    }

    private static String rest(String body, int words) {
        String[] w = body.split(" ", words + 1);
        return w.length > words ? w[words] : "";
    }

    synchronized boolean started() {
        return started;
    }

    synchronized boolean done() {
        return done;
    }

    synchronized String error() {
        return error;
    }

    synchronized Integer kvmAbsentErrno() {
        return kvmAbsentErrno;
    }

    synchronized String release() {
        return release;
    }

    synchronized String unameVersion() {
        return unameVersion;
    }

    synchronized String cmdline() {
        return cmdline;
    }

    synchronized String midr() {
        return midr;
    }

    synchronized Map<String, Integer> caps() {
        return new LinkedHashMap<>(caps);
    }

    synchronized List<CapturedSet> sets() {
        return List.copyOf(sets);
    }

    synchronized long bootMs() {
        return bootMs;
    }

    /** The last console lines that were not protocol (kernel messages), for error reports. */
    synchronized List<String> context() {
        return List.copyOf(context);
    }
}
