/**
 * Benchmarks shipped for {@code regshim bench}: tools, not part of the product. Each times regshim against its
 * baseline in the same run and reports ratios: {@link dev.regshim.bench.InspectBenchmark} (reading a stream against
 * {@code cat}, with the peak RSS), {@link dev.regshim.bench.RewriteBenchmark} (a verified rewrite against {@code cp})
 * and {@link dev.regshim.bench.PlanBench} (planning a {@link dev.regshim.bench.SyntheticFleet} of many hosts).
 * May import the product packages' public API and the JDK; nothing imports this package but the CLI.
 */
package dev.regshim.bench;
