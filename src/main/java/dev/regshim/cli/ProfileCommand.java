package dev.regshim.cli;

import dev.regshim.libvirt.DomainXml;
import dev.regshim.libvirt.QemuArgv;
import dev.regshim.libvirt.RegisterLists;
import dev.regshim.libvirt.Virsh;
import dev.regshim.profile.Profile;
import dev.regshim.profile.ProfileJson;
import dev.regshim.profile.source.ProfileCapture;
import dev.regshim.profile.source.ProfileSources;
import dev.regshim.profile.source.StreamProfileSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code regshim profile}: make and show register profiles (what one side of a migration presents). */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = "Make and show register profiles: per vCPU the cpreg list and values, with provenance.",
        subcommands = {ProfileCommand.FromStream.class, ProfileCommand.Capture.class, ProfileCommand.Show.class})
public final class ProfileCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static void emit(CommandSpec spec, Profile p, Path output) {
        PrintWriter out = spec.commandLine().getOut();
        if (output == null) {
            out.println(ProfileJson.write(p));
            out.flush();
            return;
        }
        try {
            ProfileJson.write(p, output);
        } catch (IOException e) {
            throw new dev.regshim.RegshimException("cannot write " + output + ": " + dev.regshim.util.SafeFiles.reason(e), e);
        }
        spec.commandLine().getErr().println("regshim: wrote " + output + " (" + describe(p) + ")");
        spec.commandLine().getErr().flush();
    }

    static String describe(Profile p) {
        StringBuilder b = new StringBuilder(p.provenance().summary());
        b.append("; ").append(p.template() ? "every vCPU: " : p.vcpus().size() + " vCPU(s): ");
        List<String> counts = new ArrayList<>();
        p.vcpus().forEach(v -> counts.add(v.cpregs().length() + (v.cpregs().hasValues() ? " registers with values" : " registers")));
        b.append(String.join(", ", counts));
        return b.toString();
    }

    @Command(name = "from-stream", mixinStandardHelpOptions = true,
            description = "The profile a migration stream or libvirt save image presents (what its source sent).")
    static final class FromStream implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "FILE", description = "a migration stream or libvirt save image ('-' reads standard input)")
        String file;
        @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "write the profile JSON here (default: stdout)")
        Path output;

        @Override
        public Integer call() {
            emit(spec, new StreamProfileSource().load(StdinInput.path(file)), output);
            return Main.EXIT_OK;
        }
    }

    @Command(name = "capture", mixinStandardHelpOptions = true,
            description = {"Start QEMU paused with the given command line (QMP on a private socket), migrate its state",
                "into regshim over loopback, and write the profile. With --domain, the command line is the one libvirt",
                "builds for that domain (virsh domxml-to-native): its emulator, machine, accelerator, CPU, memory and",
                "vCPUs, without devices and without the register lists it carries (check applies those). Examples:",
                "  regshim profile capture -o host.json -- qemu-system-aarch64 -M virt -cpu host -accel kvm -m 64",
                "  regshim profile capture -o host.json --domain guest1"})
    static final class Capture implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "write the profile JSON here (default: stdout)")
        Path output;
        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120", description = "overall limit (default ${DEFAULT-VALUE})")
        long timeoutSeconds;
        @Option(names = "--domain", paramLabel = "NAME", description = "capture with the QEMU command line of this libvirt domain")
        String domain;
        @Option(names = {"-c", "--connect"}, paramLabel = "URI",
                description = "libvirt URI for --domain (default: $LIBVIRT_DEFAULT_URI, else " + Virsh.DEFAULT_URI + ")")
        String connect;
        @Parameters(paramLabel = "QEMU-COMMAND", arity = "0..*", description = "the QEMU binary and its arguments, after --")
        List<String> command = new ArrayList<>();

        @Override
        public Integer call() {
            if (domain == null) {
                if (connect != null) {
                    throw new dev.regshim.RegshimException("--connect goes with --domain");
                }
                if (command.isEmpty()) {
                    throw new dev.regshim.RegshimException("profile capture needs a QEMU command line after -- or --domain NAME");
                }
                emit(spec, ProfileCapture.capture(command, Duration.ofSeconds(timeoutSeconds)), output);
                return Main.EXIT_OK;
            }
            if (!command.isEmpty()) {
                throw new dev.regshim.RegshimException("give --domain or a QEMU command line, not both");
            }
            String uri = connect != null ? connect : System.getenv().getOrDefault("LIBVIRT_DEFAULT_URI", Virsh.DEFAULT_URI);
            Virsh virsh = Virsh.connect(uri);
            DomainXml xml = virsh.domain(domain);
            String where = "domain " + domain;
            List<String> qemu = QemuArgv.captureCommand(virsh.qemuArgv(domain), where);
            PrintWriter err = spec.commandLine().getErr();
            err.println("regshim: capturing " + where + " at " + uri + ": " + String.join(" ", qemu));
            RegisterLists lists = xml.registerLists();
            if (!lists.isEmpty()) {
                err.println("regshim: " + where + " carries register lists (" + lists.hidden().size() + " hidden, "
                        + lists.fake().size() + " fake); the profile is without them: give them to check with --hide/--fake");
            }
            err.flush();
            emit(spec, ProfileCapture.capture(qemu, Duration.ofSeconds(timeoutSeconds),
                    "libvirt domain " + domain + " at " + uri), output);
            return Main.EXIT_OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Show any profile source (stream, save image, profile JSON, list file, kernel:SPEC); --json writes it as a profile.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "PROFILE")
        String source;
        @Option(names = "--json", description = "print the profile JSON")
        boolean json;
        @Option(names = "--regs", description = "list every register")
        boolean regs;

        @Override
        public Integer call() {
            Profile p = ProfileSources.resolve(StdinInput.path(source));
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(ProfileJson.write(p));
                out.flush();
                return Main.EXIT_OK;
            }
            out.println(describe(p));
            if (p.machineType() != null) {
                out.println("machine " + p.machineType() + ", page size " + p.pageSize() + ", "
                        + (p.ramBlocks() == null ? 0 : p.ramBlocks().size()) + " RAM blocks, "
                        + (p.sections() == null ? 0 : p.sections().size()) + " sections");
            }
            if (regs) {
                for (Profile.Vcpu v : p.vcpus()) {
                    out.println(p.template() ? "every vCPU:" : "vCPU " + v.instance() + ":");
                    for (int i = 0; i < v.cpregs().length(); i++) {
                        String row = RegFormat.row(dev.regshim.regs.RegId.of(v.cpregs().id(i)));
                        out.println("  " + (v.cpregs().hasValues() ? String.format("%-70s 0x%016x", row, v.cpregs().value(i)) : row));
                    }
                }
            }
            out.flush();
            return Main.EXIT_OK;
        }
    }
}
