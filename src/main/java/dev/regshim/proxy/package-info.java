/**
 * {@code regshim proxy}: a live-migration relay between unpatched QEMUs that rewrites every vCPU's cpreg arrays on
 * the way, with the offline rewriter's rules and guarantees.
 *
 * <pre>
 *  source QEMU ──main channel──▶ MigrationSession ──▶ destination QEMU      (migrate -d tcp:ADDR:PORT)
 *      │   ◀──return path───────  (ReturnPathDecoder)  ◀──────────┘          (-incoming tcp:HOST:PORT)
 *      └──multifd channels──▶ ExtraChannel (untouched) ──▶
 *
 *  forward: SourceInput → StreamTransformer(LiveRewrite) → DestinationOutput ⟲ OutputAudit → socket
 * </pre>
 *
 * <ul>
 *   <li>{@link dev.regshim.proxy.MigrationProxy} binds, accepts and runs one {@link dev.regshim.proxy.MigrationSession}
 *       at a time (optionally {@link dev.regshim.proxy.Preflight} first, from a known source profile).</li>
 *   <li>{@link dev.regshim.proxy.LiveRewrite} plans each vCPU from its live section
 *       ({@code RewritePlan.planVcpu}) and lets the model check the rewritten vCPU before it is written.</li>
 *   <li>{@link dev.regshim.proxy.DestinationOutput} passes RAM at once and holds everything after RAM until the
 *       independent re-read ({@link dev.regshim.proxy.OutputAudit}) has verified it.</li>
 *   <li>Any failure resets both connections ({@link dev.regshim.proxy.Fault} says whose): the source's migration
 *       fails and its VM keeps running there.</li>
 * </ul>
 *
 * <h2>What it may import</h2>
 * The JDK, the root {@code dev.regshim}, {@code policy} (every rewrite decision), {@code stream} (reading and writing
 * the bytes), {@code check}, {@code profile} and {@code regs}. Never {@code rewrite} (the offline file pipeline),
 * {@code plan}, {@code qemu} or {@code cli}.
 */
package dev.regshim.proxy;
