/**
 * Explains what a destination QEMU printed when an incoming migration failed (or warned): {@code regshim explain}.
 *
 * <h2>What it owns</h2>
 * <ul>
 * <li><b>Reading a pasted log.</b> {@link dev.regshim.explain.QemuLog#parse(byte[])} (the entry point for fuzzing:
 *     any bytes in, never an exception) and {@link dev.regshim.explain.QemuLog#read} split the input into lines in
 *     one pass with bounded memory (long lines cut, CRLF accepted, timestamps and program or libvirt prefixes
 *     ignored) and keep only the lines {@link dev.regshim.explain.LineClassifier} recognises, as
 *     {@link dev.regshim.explain.LogEvent}s: every release's dialect (7.2-10.0 one line per layer, 11.1 chained
 *     lines and its {@code handle_cpreg_*} register lines, the hidden/fake series' traces, QEMU aborts).</li>
 * <li><b>The explanation.</b> {@link dev.regshim.explain.Explainer} turns the events into
 *     {@link dev.regshim.explain.Finding}s: the registers named (decoded by {@code regs}), the cause in one sentence
 *     and the fix (QEMU flags, a {@code regshim rewrite}, {@code regshim plan} or {@code check}).</li>
 * </ul>
 * The texts recognised are QEMU's own; where regshim also prints them (its model of a load) they come from
 * {@code dev.regshim.cpreg.QemuMessages}, and tests check the two agree.
 *
 * <h2>What it may import</h2>
 * The JDK, {@code dev.regshim.regs} (register IDs, names, the cpreg key), {@code dev.regshim.cpreg} (the series'
 * property names), {@code dev.regshim.plan.CompatEmitter} (the device those properties are set on), {@code dev.regshim.util} and {@code dev.regshim.RegshimException}. Not the CLI, the stream codec
 * or the model: an explanation reads text only.
 */
package dev.regshim.explain;
