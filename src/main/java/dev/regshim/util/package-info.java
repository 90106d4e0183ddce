/**
 * Small helpers every package may use, with no regshim dependency of their own: bundled TSV tables
 * ({@link dev.regshim.util.Tsv}), strict JSON input ({@link dev.regshim.util.JsonInput}), terminal-safe text
 * ({@link dev.regshim.util.Text}, the one rule for error lines), strict UTF-8 text with byte offsets
 * ({@link dev.regshim.util.Utf8Reader}), verified whole-file writes ({@link dev.regshim.util.SafeFiles}), output file
 * modes ({@link dev.regshim.util.FileModes}), errno names ({@link dev.regshim.util.Errno}) and programs on the search
 * path ({@link dev.regshim.util.Executables}).
 */
package dev.regshim.util;
