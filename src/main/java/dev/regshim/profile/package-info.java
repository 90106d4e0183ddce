/**
 * The profile record: what one side of a migration presents ({@link dev.regshim.profile.Profile}: per vCPU the cpreg
 * list and values, and for a real stream or capture the machine type, RAM blocks and device sections), where it came
 * from ({@link dev.regshim.profile.Provenance}), and its JSON form ({@link dev.regshim.profile.ProfileJson}). How a
 * profile is obtained (streams, captures, the kernel database, lists, JSON files) is
 * {@code dev.regshim.profile.source}.
 *
 * <h2>What it may import</h2>
 * The JDK, Jackson, the root {@code dev.regshim.RegshimException}, {@code regs}, {@code cpreg} (register arrays and
 * the accelerator) and {@code util}. Never {@code stream}, {@code qemu}, {@code kernel} or anything above the model.
 */
package dev.regshim.profile;
