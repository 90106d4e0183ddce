/**
 * Where profiles come from: {@link dev.regshim.profile.source.ProfileSources} resolves a user's profile argument
 * through the {@link dev.regshim.profile.source.ProfileSource}s: a migration stream or save image
 * ({@link dev.regshim.profile.source.StreamProfileSource}, built by {@link dev.regshim.profile.source.StreamProfiles}),
 * a KVM capture ({@link dev.regshim.profile.source.CaptureProfileSource}), {@code kernel:VERSION+features}
 * ({@link dev.regshim.profile.source.KernelProfileSource}), a profile JSON file or a register list; and
 * {@link dev.regshim.profile.source.ProfileCapture} captures a profile by running QEMU.
 *
 * <h2>What it may import</h2>
 * The JDK, the root {@code dev.regshim.RegshimException}, {@code profile} (the record it builds), {@code stream} and
 * {@code stream.container} (reading streams), {@code kernel} and {@code kernel.capture}, {@code qemu} and
 * {@code release} (capturing), {@code cpreg}, {@code regs}, {@code util}. Never {@code check}, {@code policy},
 * {@code rewrite}, {@code proxy}, {@code plan} or {@code cli}.
 */
package dev.regshim.profile.source;
