/**
 * Small helpers every package may use, with no regshim dependency of their own: bundled TSV tables
 * ({@link dev.regshim.util.Tsv}), strict JSON input ({@link dev.regshim.util.JsonInput}), terminal-safe text
 * ({@link dev.regshim.util.Text}), verified whole-file writes ({@link dev.regshim.util.SafeFiles}) and errno names
 * ({@link dev.regshim.util.Errno}).
 */
package dev.regshim.util;
