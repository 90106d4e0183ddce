/**
 * What each kernel's {@code KVM_GET_REG_LIST} returns: the per-release database ({@link dev.regshim.kernel.KernelRegDb},
 * 6.1 to 7.x), the features that change the set ({@link dev.regshim.kernel.KernelFeature}, with the ID field that shows
 * a host feature), kernel versions and hosts. Captures of real kernels are {@code kernel.capture}.
 *
 * <h2>What it may import</h2>
 * The JDK, the root {@code dev.regshim}, {@code regs}, {@code regs.fields} and {@code util}.
 */
package dev.regshim.kernel;
