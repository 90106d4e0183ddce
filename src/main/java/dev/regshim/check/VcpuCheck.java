package dev.regshim.check;

import dev.regshim.cpreg.CpuLoadOutcome;
import dev.regshim.regs.CpregArray;

/** One vCPU's part of a check: what the source sends, and the model's outcome on the destination. */
public record VcpuCheck(int instance, CpregArray sent, CpregArray destination, CpuLoadOutcome outcome) {
}
