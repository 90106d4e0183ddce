/**
 * The whole-load simulation: given a source profile, a destination profile and load settings,
 * {@link dev.regshim.check.MigrationCheck} walks the machine type, RAM blocks, device sections and every vCPU's cpreg
 * load as the destination QEMU would, and returns a {@link dev.regshim.check.CheckResult} with QEMU's lines and the
 * fixes ({@link dev.regshim.check.Fixes}).
 *
 * <h2>What it may import</h2>
 * The JDK, {@code cpreg}, {@code profile} (the record), {@code regs}, {@code regs.fields} and {@code release}. Never
 * {@code qemu}, {@code stream}, {@code policy} or anything above.
 */
package dev.regshim.check;
