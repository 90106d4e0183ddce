/**
 * The fleet planner: host classes from their profiles ({@link dev.regshim.plan.Fleet}), every direction's verdict
 * ({@link dev.regshim.plan.MatrixBuilder}, decisions on {@link dev.regshim.plan.Involved.Role}, never on its words),
 * register classification ({@link dev.regshim.plan.RegisterClassifier}), the compat lists and QEMU options it emits
 * ({@link dev.regshim.plan.CompatEmitter}), chain verification and the HTML report.
 *
 * <h2>What it may import</h2>
 * The JDK, the root {@code dev.regshim}, {@code check}, {@code cpreg}, {@code kernel}, {@code policy} (inert rules,
 * feature gates), {@code profile} and {@code profile.source}, {@code regs}. Never {@code rewrite}, {@code proxy},
 * {@code stream}, {@code qemu} or {@code cli}.
 */
package dev.regshim.plan;
