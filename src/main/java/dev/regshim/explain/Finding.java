package dev.regshim.explain;

import dev.regshim.regs.RegId;

import java.util.List;

/**
 * One thing the log shows went wrong (or was only warned about), explained.
 *
 * @param kind      what it is
 * @param fatal     whether it made the load fail (false: a warning or a tolerance QEMU applied)
 * @param registers the registers the log names for it, in log order, each once (empty when the log names none)
 * @param cause     the cause, one sentence
 * @param fixes     what to do, each a command or QEMU option with a short reason; may be empty
 * @param firstLine the log line it was first seen on
 * @param quote     that line's message as QEMU printed it (prefixes removed; not escaped)
 */
public record Finding(Kind kind, boolean fatal, List<NamedRegister> registers, String cause, List<String> fixes,
                      int firstLine, String quote) {

    /**
     * A register as the log names it: one register, or both banks of an AArch32 register when QEMU printed a cpreg
     * key that stands for two ({@code 0x200f3a00}: PAR or PAR_S).
     */
    public record NamedRegister(List<RegId> candidates) {
        public NamedRegister {
            candidates = List.copyOf(candidates);
        }

        /** {@code PAR or PAR_S}, {@code TCR2_EL1}. */
        public String name() {
            return String.join(" or ", candidates.stream().map(id -> dev.regshim.regs.RegCatalog.get().name(id)).toList());
        }
    }

    public Finding {
        registers = List.copyOf(registers);
        fixes = List.copyOf(fixes);
    }

    public enum Kind {
        /** QEMU 11.1: incoming registers the destination's vCPU does not know. */
        UNKNOWN_REGISTERS,
        /** The series: incoming registers the destination's vCPU does not have. */
        SERIES_UNEXPECTED,
        /** Stock QEMU's cpreg length check. */
        TOO_MANY_REGISTERS,
        /** Stock QEMU's bare EPERM: a register the destination lacks, unnamed. */
        UNNAMED_REGISTER,
        /** QEMU 7.2's ENOENT: a subsection the destination does not know. */
        UNKNOWN_SUBSECTION,
        /** The destination's registers not in the stream (11.1 warns, the series traces). */
        MISSING_REGISTERS,
        /** One-sided registers a tolerance or a fake accepted. */
        TOLERATED_REGISTERS,
        /** The series' length trace. */
        REGISTER_COUNTS,
        /** QEMU aborted (SIGABRT, exit 134). */
        ABORT,
        /** KVM refused the registers QEMU wrote after the load. */
        KVM_REFUSED,
        /** 11.1's cpu post_load failed without naming a register. */
        CPU_POST_LOAD,
        UNKNOWN_SECTION,
        NOT_A_STREAM,
        MACHINE_TYPE,
        RAM,
        DEVICE_LAYOUT,
        SECTION_VERSION,
        UNKNOWN_COMMAND,
        /** The load failed with an errno regshim has no more specific explanation for. */
        LOAD_FAILED
    }
}
