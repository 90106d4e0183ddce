/**
 * The counter guest ({@code counter.S}, a bare-metal program for QEMU {@code -M virt}): what it prints on its serial
 * line ({@link dev.regshim.lab.guest.CounterLine}, {@link dev.regshim.lab.guest.SerialLog}) and whether a migration
 * resumed it exactly where it stopped ({@link dev.regshim.lab.guest.Continuity}). Imports nothing of regshim.
 */
package dev.regshim.lab.guest;
