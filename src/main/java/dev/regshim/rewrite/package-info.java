/**
 * {@code regshim rewrite}: the offline file pipeline that applies a {@code dev.regshim.policy} plan to a stream or
 * save image and proves the output. {@link dev.regshim.rewrite.RewriteInput} is the first read (the stream's ends
 * where it can), {@link dev.regshim.rewrite.StreamRewriter} writes (a bare stream through
 * {@link dev.regshim.rewrite.SpliceWriter}, which lets the kernel copy RAM; a container through the stream
 * transformer), and {@link dev.regshim.rewrite.OutputVerifier} re-reads the output and compares it with
 * {@link dev.regshim.rewrite.ExpectedOutput}; {@link dev.regshim.rewrite.FileStamp} and
 * {@link dev.regshim.rewrite.PrefixDigest} show the input did not change meanwhile.
 *
 * <h2>What it may import</h2>
 * The JDK, the root {@code dev.regshim.RegshimException}, {@code policy} (every decision), {@code stream} and
 * {@code stream.container} (all reading and writing of bytes), {@code profile} and its sources (the summary a plan is
 * made from), {@code check}, {@code cpreg}, {@code regs}.
 * Never {@code proxy}, {@code plan}, {@code qemu}, {@code cli} or {@code bench} (its benchmark lives there).
 */
package dev.regshim.rewrite;
