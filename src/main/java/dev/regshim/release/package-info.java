/**
 * QEMU releases as plain values: {@link dev.regshim.release.QemuVersion} is what the model ({@code cpreg}'s semantics,
 * {@code check}), profiles and the QEMU driver compare, read from {@code --version}, QMP or a profile's record.
 *
 * <h2>What it may import</h2>
 * The JDK only. Everything may import it; running QEMU stays in {@code dev.regshim.qemu}.
 */
package dev.regshim.release;
