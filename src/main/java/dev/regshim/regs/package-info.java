/**
 * Register facts: KVM register IDs of every arm64 class ({@link dev.regshim.regs.RegId}), their names
 * ({@link dev.regshim.regs.RegCatalog}, {@link dev.regshim.regs.Aarch32Names}), the parser of every written form
 * ({@link dev.regshim.regs.RegParser}, {@link dev.regshim.regs.RegListReader}), sets and diffs
 * ({@link dev.regshim.regs.RegSet}), the one vCPU register array type ({@link dev.regshim.regs.CpregArray}) and the one
 * table of the registers rules single out ({@link dev.regshim.regs.WellKnownRegs}: a rule that names a register
 * refers to it there, never to an encoding of its own).
 *
 * <h2>What it may import</h2>
 * The JDK, the root {@code dev.regshim} and {@code util}. Everything may import it.
 */
package dev.regshim.regs;
