/**
 * ID-register field layouts and their migration safety rules, from the bundled sysreg tables
 * ({@code arch/arm64/tools/sysreg}, the kernel's cpufeature rules): {@link dev.regshim.regs.fields.IdRegisterFields}
 * decodes values into fields, locates a named field ({@link dev.regshim.regs.fields.IdRegisterFields#field}, the one
 * source of field positions) and judges a change field by field ({@link dev.regshim.regs.fields.FieldDiff}).
 *
 * <h2>What it may import</h2>
 * The JDK, {@code regs} and {@code util}.
 */
package dev.regshim.regs.fields;
