package dev.regshim.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * One boot of an arm64 kernel in an outer {@code qemu-system-aarch64}: {@code -M virt,virtualization=on,gic-version=3}
 * so that the kernel starts at EL2 and its KVM works (nested virtualization under TCG), the serial console on stdout,
 * power-off ending QEMU ({@code -no-reboot}, and {@code panic=-1} turns a panic into a reboot, so into an exit).
 *
 * <p>The host's MTE is switched on ({@code mte=on}) where the CPU model has it: QEMU refuses the option at once for
 * a model without MTE, and the boot is retried without it.
 */
final class OuterVm {

    static final String MEMORY = "1024";
    static final String MACHINE = "virt,virtualization=on,gic-version=3";
    /** The same machine with the kernel started at EL1: it has no KVM (for testing that failure). */
    static final String MACHINE_EL1 = "virt,gic-version=3";
    static final String MTE = ",mte=on";

    /** How a boot ended. */
    record Outcome(OptionalInt exitStatus, boolean timedOut, boolean mte, String machine, List<String> command,
                   long millis, List<String> stderr) {
    }

    private OuterVm() {
    }

    /**
     * Boots {@code image} with {@code initrd} and kernel command line {@code append} on {@code host}; every console
     * line goes to {@code console} as it arrives. The QEMU process never outlives this call.
     *
     * @param el2 false boots the kernel at EL1 (no {@code virtualization=on}), where it has no KVM
     */
    static Outcome boot(LabHost host, Path image, Path initrd, String append, boolean el2, Duration timeout,
                        Consumer<String> console) {
        String base = el2 ? MACHINE : MACHINE_EL1;
        Run first = run(host, base + MTE, image, initrd, append, timeout, console);
        boolean refusedAtOnce = first.exitStatus().isPresent() && first.exitStatus().getAsInt() != 0 && !first.timedOut()
                && first.millis() < 10_000 && first.consoleEmpty();
        if (!refusedAtOnce) {
            return first.outcome(true);
        }
        return run(host, base, image, initrd, append, timeout, console).outcome(false);
    }

    /** A run before we know whether {@code mte=on} was accepted. */
    private record Run(OptionalInt exitStatus, boolean timedOut, String machine, List<String> command, long millis,
                       List<String> stderr, boolean consoleEmpty) {
        Outcome outcome(boolean mte) {
            return new Outcome(exitStatus, timedOut, mte, machine, command, millis, stderr);
        }
    }

    private static Run run(LabHost host, String machine, Path image, Path initrd, String append, Duration timeout,
                           Consumer<String> console) {
        List<String> cmd = new ArrayList<>(List.of(host.qemu().path().toString(),
                "-M", machine, "-cpu", host.cpu(), "-smp", "1", "-m", MEMORY,
                "-nodefaults", "-display", "none", "-no-reboot", "-serial", "stdio",
                "-kernel", image.toString(), "-initrd", initrd.toString(), "-append", append));
        List<String> stderr = new ArrayList<>();
        boolean[] sawConsole = {false};
        long start = System.nanoTime();
        OptionalInt status;
        try (ChildProcess qemu = ChildProcess.start("outer-qemu", cmd, null, line -> {
            sawConsole[0] = true;
            console.accept(line);
        }, line -> {
            synchronized (stderr) {
                if (stderr.size() < 50) {
                    stderr.add(line);
                }
            }
        })) {
            status = qemu.await(timeout);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        synchronized (stderr) {
            return new Run(status, status.isEmpty(), machine, cmd, millis, List.copyOf(stderr), !sawConsole[0]);
        }
    }
}
