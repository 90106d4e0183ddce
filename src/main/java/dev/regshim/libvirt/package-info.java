/**
 * libvirt: its domain XML ({@link dev.regshim.libvirt.DomainXml}: machine type, CPU, emulator and the register lists a
 * domain carries in {@code <qemu:commandline>}, {@link dev.regshim.libvirt.RegisterLists}), the QEMU command line
 * libvirt builds for a domain ({@link dev.regshim.libvirt.QemuArgv}, read through {@link dev.regshim.libvirt.Virsh}),
 * and the decision of the QEMU hook on an incoming migration or restore ({@link dev.regshim.libvirt.IncomingCheck}).
 *
 * <h2>What it may import</h2>
 * The JDK (its XML parser, with DTDs and external entities refused), the root {@code dev.regshim.RegshimException},
 * {@code check} (the load model the hook runs), {@code cpreg}, {@code plan} (the fleet and the emitted lists'
 * form), {@code profile}, {@code regs}, {@code release}, {@code util}. Never {@code cli}, {@code rewrite},
 * {@code proxy}, {@code qemu} or {@code stream}: a profile is captured by {@code profile.source}, the CLI joins the two.
 */
package dev.regshim.libvirt;
