package dev.regshim.explain;

import dev.regshim.regs.RegId;

import java.util.List;

/**
 * One thing a QEMU log line says.
 *
 * @param signal    what kind of line it is
 * @param line      its 1-based line number in the log
 * @param registers the registers it names (two for an AArch32 cpreg key that stands for both banks), in that order
 * @param numbers   the numbers it carries (lengths, instance, values), by {@link Signal}
 * @param words     the strings it carries (device, errno text, machine types, assertion), by {@link Signal}
 * @param text      the message as read, prefixes removed, not yet escaped (cut to {@link QemuLog#MAX_LINE_CHARS})
 */
public record LogEvent(Signal signal, int line, List<RegId> registers, List<Long> numbers, List<String> words,
                       String text) {

    public LogEvent {
        registers = List.copyOf(registers);
        numbers = List.copyOf(numbers);
        words = List.copyOf(words);
    }

    public String word(int i) {
        return i < words.size() ? words.get(i) : "";
    }

    public long number(int i) {
        return i < numbers.size() ? numbers.get(i) : -1;
    }

    /** The kinds of line {@link LineClassifier} recognises. */
    public enum Signal {
        /** {@code Invalid value N expecting positive value <= M}: numbers N (incoming), M (local). */
        LENGTH_CHECK,
        /** {@code Failed to load cpu:cpreg_vmstate_array_len}. */
        LENGTH_FIELD,
        /** {@code error while loading state for instance 0x%x of device '%s'}: number instance, word device. */
        DEVICE_FAILED,
        /** {@code load of migration failed: E[: cause]}: word errno text, word cause (11.1's chain, may be ""). */
        LOAD_FAILED,
        /** 11.1 {@code post load hook failed for: cpu, ...}: the cpu post_load refused the registers. */
        POST_LOAD_FAILED,
        /** 11.1 {@code handle_cpreg_only_in_incoming_stream}: a register the destination does not know; fails. */
        UNKNOWN_ON_DESTINATION,
        /** 11.1 {@code handle_cpreg_missing_in_incoming_stream} warning: the destination's register not sent. */
        MISSING_IN_STREAM,
        /** 11.1 {@code tolerate_cpreg_*} traces: a one-sided register accepted by its tolerance. */
        TOLERATED,
        /** The series' traces and v1 errors naming an unexpected (incoming-only) register. */
        SERIES_UNEXPECTED,
        /** The series' traces naming a register missing from the stream (word "as expected" when faked). */
        SERIES_MISSING,
        /** {@code cpu_post_load_len}: numbers local length, incoming length. */
        SERIES_LENGTHS,
        /** {@code Assertion `...' failed}: word function, word assertion. */
        ABORT,
        /** {@code Aborted}, {@code (core dumped)} or an exit status / signal of 134 / SIGABRT in a libvirt log. */
        ABORTED_PROCESS,
        /** {@code Failed to put registers after init: E}: word errno text. */
        PUT_FAILED,
        /** {@code Could not set register NAME to V (is W)}: numbers V, W. */
        COULD_NOT_SET,
        /** {@code Unknown savevm section or instance 'X' N} (11.1: {@code Unknown section ...}): word idstr, number instance. */
        UNKNOWN_SECTION,
        /** {@code Not a migration stream}. */
        NOT_A_STREAM,
        /** {@code Machine type received is 'A' and local is 'B'}: words A, B. */
        MACHINE_MISMATCH,
        /** {@code Unknown ramblock "X", cannot accept migration}: word name. */
        UNKNOWN_RAMBLOCK,
        /** {@code Size mismatch: NAME: 0xIN != 0xLOCAL}: word name, numbers in, local. */
        RAM_SIZE_MISMATCH,
        /** {@code Missing section footer for X} / {@code Section footer error, section_id: N}: word idstr. */
        FOOTER,
        /** {@code savevm: unsupported version V for 'X' vL}: word idstr, numbers V, L. */
        UNSUPPORTED_VERSION,
        /** {@code MIG_CMD 0xN unknown}: number command. */
        UNKNOWN_COMMAND
    }
}
