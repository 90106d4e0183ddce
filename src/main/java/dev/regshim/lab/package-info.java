/**
 * Real arm64 KVM on this machine: Debian arm64 kernels booted at EL2 in an outer {@code qemu-system-aarch64}
 * ({@code -M virt,virtualization=on,gic-version=3}, nested virtualization under TCG; the emulated CPU is the host).
 * <ul>
 *   <li>{@link dev.regshim.lab.KernelCapturer} ({@code regshim kernel capture}): the KVM probe ({@code kvm-probe.c},
 *       built with the arm64 cross compiler) as {@code /init} asks KVM for every vCPU feature set's register list,
 *       values, writable masks, and what it answers to written values; the result is a
 *       {@link dev.regshim.kernel.capture.KvmCapture}.</li>
 *   <li>{@link dev.regshim.lab.LabMigration} ({@code regshim lab migrate}) and {@link dev.regshim.lab.LabMatrix}: two lab
 *       hosts ({@link dev.regshim.lab.LabVm}, {@code lab-init.sh} as {@code /init}) run Debian's arm64 QEMU under KVM;
 *       a guest migrates direct, through {@code regshim rewrite}, or live through {@code regshim proxy}.</li>
 *   <li>Inputs come from Debian's archive through the project's scripts ({@code get-kernel.sh},
 *       {@code get-qemu.sh --arch arm64}), shipped in the jar and run with a private apt configuration; everything
 *       downloaded or built is cached under regshim's cache directory. Every process the lab starts is killed when the
 *       run ends or the JVM exits ({@link dev.regshim.lab.ChildProcess}).</li>
 * </ul>
 * May import {@code kernel}, {@code kernel.capture}, {@code profile}, {@code profile.source}, {@code check},
 * {@code cpreg}, {@code policy}, {@code rewrite}, {@code proxy}, {@code stream}, {@code qemu}, {@code release},
 * {@code regs} and {@code util}; nothing imports it but the CLI.
 */
package dev.regshim.lab;
