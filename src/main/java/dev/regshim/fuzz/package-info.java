/**
 * Developer tools for hardening the stream codec, shipped for {@code regshim fuzz}: not part of the product.
 * {@link dev.regshim.fuzz.MutationFuzzer} mutates real streams and checks that the decoder accepts and re-encodes them
 * byte for byte or rejects them with a one-line error; {@link dev.regshim.fuzz.StreamShrinker} makes a small fuzzing
 * corpus from real streams. May import {@code dev.regshim.stream} (its public API only) and the JDK; nothing imports
 * this package but the CLI and tests.
 */
package dev.regshim.fuzz;
