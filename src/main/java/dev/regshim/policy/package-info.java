/**
 * The cpreg rewrite policy, pure decision logic: given a source vCPU's cpreg arrays, the destination's and the
 * settings, what to keep, drop, add or change, what to refuse, and why. No files, sockets or processes: the offline
 * rewriter ({@code dev.regshim.rewrite}), the live proxy ({@code dev.regshim.proxy}), {@code check}'s advice and the
 * fleet planner ({@code dev.regshim.plan}) all take their decisions from here.
 *
 * <h2>What it owns</h2>
 * <ul>
 *   <li>{@link dev.regshim.policy.CpregRewritePlanner}: one vCPU's plan ({@link dev.regshim.policy.VcpuRewrite}: every
 *       {@link dev.regshim.policy.RegisterChange} and {@link dev.regshim.policy.Refusal}).</li>
 *   <li>{@link dev.regshim.policy.RewritePlan}: every vCPU of a stream, with the model's verdict on the result;
 *       {@link dev.regshim.policy.RewriteOptions} and {@link dev.regshim.policy.Policy} say what a rewrite may give up;
 *       {@link dev.regshim.policy.InertRule} is the user's declaration that a value carries no state.</li>
 *   <li>The evidence a decision rests on: {@link dev.regshim.policy.FeatureGates} (which ID-register field gates a
 *       register), {@link dev.regshim.policy.FieldRulesJudge} (whether an ID value change is safe for the guest),
 *       {@link dev.regshim.policy.SharedState} (two register IDs that carry one piece of state).</li>
 *   <li>{@link dev.regshim.policy.RewriteAdvice}: the least permissive policy that makes a state load.</li>
 * </ul>
 *
 * <h2>What it may import</h2>
 * The JDK, the root {@code dev.regshim.RegshimException}, {@code regs} and {@code regs.fields} (register facts),
 * {@code kernel} (the kernels' tables), {@code cpreg} (the load model and its register arrays), {@code profile}
 * (the record only), {@code check} (the model's verdict) and the value types of {@code stream}
 * ({@code CpregReplacement}). Never {@code rewrite}, {@code proxy}, {@code plan}, {@code qemu} or {@code cli}.
 */
package dev.regshim.policy;
