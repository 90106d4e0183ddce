/**
 * QEMU's load of a vCPU's cpreg arrays, step by step, under each QEMU release's semantics
 * ({@link dev.regshim.cpreg.Semantics}, {@link dev.regshim.cpreg.CpuLoadModel}): what it accepts, tolerates, ignores
 * or fails on, with QEMU's own messages ({@link dev.regshim.cpreg.QemuMessages}); what KVM's {@code SET_ONE_REG}
 * accepts ({@link dev.regshim.cpreg.KvmValueRule}, {@link dev.regshim.cpreg.KvmWriteRules}); the accelerator
 * ({@link dev.regshim.cpreg.Accel}, including the one inference of it from a register list).
 *
 * <h2>What it may import</h2>
 * The JDK, the root {@code dev.regshim}, {@code regs}, {@code regs.fields}, {@code release} and {@code util}. Never
 * {@code qemu} (running QEMU), {@code stream} or anything above the model.
 */
package dev.regshim.cpreg;
