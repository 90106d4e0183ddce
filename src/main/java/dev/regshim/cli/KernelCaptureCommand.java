package dev.regshim.cli;

import dev.regshim.kernel.capture.CaptureJson;
import dev.regshim.kernel.capture.CaptureSpecs;
import dev.regshim.kernel.capture.CapturedSet;
import dev.regshim.kernel.capture.KvmCapture;
import dev.regshim.lab.KernelCapturer;
import dev.regshim.lab.LabHost;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegSetDiff;
import dev.regshim.util.SafeFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code regshim kernel capture}: ask a real kernel's KVM, booted in an outer QEMU, for its register lists. */
@Command(name = "capture", mixinStandardHelpOptions = true,
        description = {"Boot a real arm64 kernel with KVM in an outer QEMU (nested virtualization under TCG) and record "
                + "what KVM lists for every vCPU feature set: register IDs, reset values, writable ID masks.",
                "The capture is a profile: check --to, plan --host, rewrite --to and regs diff take the file "
                        + "(FILE#SET picks a feature set; the default is the one -cpu host runs).",
                "Exit status: 0 when the kernel table agrees with every set, 1 when it differs, 2 when the capture "
                        + "could not be made."})
final class KernelCaptureCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KERNEL",
            description = "a Debian kernel version (7.3 = the newest 7.3.x Debian has; 6.12.117 exactly that one), "
                    + "a kernel .deb, or an arm64 Image file.")
    String kernel;

    @Option(names = "--host", paramLabel = "CPU[@SERIES]",
            description = "the host: the CPU model the outer QEMU emulates, with QEMU properties "
                    + "(max, neoverse-n1, max,sve=off) and the QEMU series to use (7.2, 10.0, 11.1; default: the newest "
                    + "present). Default: max.")
    String host;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write the capture (JSON) to FILE.")
    Path output;

    @Option(names = "--json", description = "print the capture as JSON (IDs as 0x%%016x strings) instead of the summary.")
    boolean json;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "180",
            description = "give up on a boot after this long (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--boot-el1", hidden = true, description = "boot the kernel at EL1, where it has no KVM (tests).")
    boolean bootEl1;

    @Option(names = "--try", paramLabel = "CAPTURE[#SET]",
            description = "also write another capture's values (its cpreg list, in order, as QEMU does after a "
                    + "migration) into a fresh vCPU of the same set, and record what KVM answered to each: which "
                    + "incoming values this kernel accepts. Default set: the one -cpu host runs. Repeatable.")
    java.util.List<String> tries = new java.util.ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (timeoutSeconds < 10 || timeoutSeconds > 3600) {
            throw new dev.regshim.RegshimException("--timeout must be between 10 and 3600 seconds");
        }
        LabHost h = LabHost.parse(host);
        KernelCapturer capturer = new KernelCapturer(line -> {
            err.println("regshim: " + line);
            err.flush();
        });
        java.util.List<KernelCapturer.Trial> trials = new java.util.ArrayList<>();
        for (String t : tries) {
            trials.add(KernelCapturer.Trial.fromCapture(t));
        }
        KvmCapture c = capturer.capture(new KernelCapturer.Request(kernel, h, Duration.ofSeconds(timeoutSeconds),
                !bootEl1, trials));
        String text = CaptureJson.write(c, s -> CaptureSpecs.specText(c, s));
        if (output != null) {
            SafeFiles.write(output, text.getBytes(StandardCharsets.UTF_8));
        }
        boolean agrees = CaptureSpecs.agreesWithTable(c);
        if (json) {
            out.print(text);
        } else {
            summary(out, c);
            if (output != null) {
                out.println("wrote " + output);
            }
        }
        out.flush();
        return agrees ? Main.EXIT_OK : Main.EXIT_DIFFERENT;
    }

    static void summary(PrintWriter out, KvmCapture c) {
        KvmCapture.Kernel k = c.kernel();
        out.printf("kernel %s%s on %s@%s (QEMU %s, -M %s)%n", k.release(),
                k.packageName() == null ? "" : " (" + k.packageName() + " " + k.packageVersion()
                        + (k.suite() == null ? "" : ", " + k.suite()) + ")",
                c.host().cpu(), series(c.host().qemuVersion()), c.host().qemuVersion(), c.host().machine());
        out.printf("KVM capabilities: %s%n", String.join(", ", c.caps().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).toList()));
        TextTable t = new TextTable("  ").row("vCPU set", "registers", "cpreg list", "kernel table");
        for (CapturedSet s : c.sets()) {
            if (!s.offered()) {
                continue;
            }
            String table = CaptureSpecs.againstTable(c, s).map(d -> d.isEmpty()
                    ? "identical: kernel show " + CaptureSpecs.specText(c, s)
                    : "DIFFERS from kernel show " + CaptureSpecs.specText(c, s) + ": " + describe(d))
                    .orElse("no table for this kernel series");
            t.row(s.name(), Integer.toString(s.size()), Integer.toString(s.cpregs().size()), table);
        }
        t.print(out);
        for (CapturedSet s : c.sets()) {
            if (!s.offered()) {
                out.printf("not offered: %s: %s%n", s.name(), CaptureSpecs.whyRefused(c, s));
            }
        }
        out.println("-cpu host runs: " + c.cpuHostDefault().map(CapturedSet::name).orElse("(no probed set matches)"));
        for (dev.regshim.kernel.capture.ValueTrial trial : c.trials()) {
            long refused = trial.entries().stream().filter(e -> !e.accepted()).count();
            out.printf("trial %s into %s: %d writes, %d refused%s%n", trial.label(), trial.set(), trial.entries().size(), refused,
                    refused == 0 ? "" : ": " + trial.entries().stream().filter(e -> !e.accepted())
                            .map(e -> dev.regshim.regs.RegCatalog.get().name(RegId.of(e.id())) + " ("
                                    + dev.regshim.util.Errno.name(e.errno()) + ")")
                            .collect(java.util.stream.Collectors.joining(", ")));
        }
    }

    private static String describe(RegSetDiff d) {
        StringBuilder b = new StringBuilder();
        for (RegId id : d.onlyLeft()) {
            b.append(b.length() == 0 ? "" : ", ").append("+").append(dev.regshim.regs.RegCatalog.get().name(id));
        }
        for (RegId id : d.onlyRight()) {
            b.append(b.length() == 0 ? "" : ", ").append("-").append(dev.regshim.regs.RegCatalog.get().name(id));
        }
        return b + " (+ listed by the kernel only, - by the table only)";
    }

    private static String series(String qemuVersion) {
        String[] p = qemuVersion.split("\\.");
        return p.length >= 2 ? p[0] + "." + p[1] : qemuVersion;
    }
}
