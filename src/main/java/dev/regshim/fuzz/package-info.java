/**
 * Developer tools for hardening every reader of untrusted input, shipped for {@code regshim fuzz}: not part of the
 * product. {@link dev.regshim.fuzz.MutationFuzzer} mutates real streams and checks that the decoder accepts and
 * re-encodes them byte for byte or rejects them with a one-line error; {@link dev.regshim.fuzz.FuzzHarness} runs
 * seeded cases of every input kind ({@link dev.regshim.fuzz.FuzzKinds}: streams, compressed streams, save images,
 * profile JSON, register lists, fleet files, QEMU error logs for {@code explain}, and any {@link dev.regshim.fuzz.FuzzKind} added)
 * through a {@link dev.regshim.fuzz.FuzzTarget} (the reader each command calls, or the whole CLI; the CLI package
 * provides both) with a time and memory bound per case; {@link dev.regshim.fuzz.StreamShrinker} makes a small
 * corpus from real streams. May import {@code dev.regshim.stream} and {@code dev.regshim.stream.container} (their public
 * API only), the compression libraries and the JDK; nothing imports this package but the CLI and tests.
 */
package dev.regshim.fuzz;
