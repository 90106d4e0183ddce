/**
 * Benchmarks shipped for {@code regshim bench}: not part of the product. {@link dev.regshim.bench.InspectBenchmark}
 * times reading a stream against {@code cat} in the same run and reports the process's peak RSS. May import
 * {@code dev.regshim.stream} (its public API only) and the JDK; nothing imports this package but the CLI and the
 * other benchmarks.
 */
package dev.regshim.bench;
