/**
 * The command line ({@code picocli}): each command parses its arguments, calls one domain package and prints the
 * result as text or JSON. No decisions here: what a command decides belongs to the package that owns the data; exit
 * codes come from {@link dev.regshim.ExitCode}. May import every package; nothing imports it.
 */
package dev.regshim.cli;
