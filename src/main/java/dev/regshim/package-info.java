/**
 * regshim's root: {@link dev.regshim.RegshimException}, the base of every domain error (a one-line message naming
 * where, and the exit code), and {@link dev.regshim.ExitCode}, the one definition of the exit codes. Imports nothing
 * of regshim; every package may import it.
 *
 * <h2>Where a change goes</h2>
 * From the bottom up (a package imports only those below it): {@code util}, {@code release}; {@code regs},
 * {@code regs.fields} (register facts); {@code kernel}, {@code kernel.capture} (what kernels list); {@code stream},
 * {@code stream.container} (the bytes); {@code cpreg} (QEMU's cpreg load); {@code profile} (the record);
 * {@code check} (the whole-load model); {@code policy} (what a rewrite may do); {@code profile.source} (loaders),
 * {@code qemu} (running QEMU); {@code rewrite} (the file pipeline), {@code proxy} (the live one), {@code plan},
 * {@code demo}; {@code lab} (real KVM); tools {@code fuzz}, {@code bench}; and {@code cli} on top, which only parses
 * and prints. Each package's {@code package-info.java} says what it owns and may import.
 */
package dev.regshim;
