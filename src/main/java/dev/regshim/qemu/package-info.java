/**
 * Running QEMU: finding binaries and their versions ({@link dev.regshim.qemu.QemuBinary}), processes
 * ({@link dev.regshim.qemu.QemuProcess}), the QMP client and migration URIs. The release itself is a plain value in
 * {@code dev.regshim.release}, so the model never imports this package.
 *
 * <h2>What it may import</h2>
 * The JDK, Jackson (QMP), the root {@code dev.regshim}, {@code release} and {@code util}. Imported by the profile loaders, the lab
 * and tests; never by the model ({@code cpreg}, {@code check}, {@code profile}, {@code policy}).
 */
package dev.regshim.qemu;
