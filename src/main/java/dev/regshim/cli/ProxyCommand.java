package dev.regshim.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.regshim.RegshimException;
import dev.regshim.policy.Refusal;
import dev.regshim.policy.RegisterChange;
import dev.regshim.policy.RewriteOptions;
import dev.regshim.policy.VcpuRewrite;
import dev.regshim.profile.Profile;
import dev.regshim.profile.source.ProfileSources;
import dev.regshim.proxy.HostPort;
import dev.regshim.proxy.MigrationProxy;
import dev.regshim.proxy.Preflight;
import dev.regshim.proxy.Progress;
import dev.regshim.proxy.ProxyEvents;
import dev.regshim.proxy.ProxyException;
import dev.regshim.proxy.ProxyOptions;
import dev.regshim.proxy.ReturnPathMessage;
import dev.regshim.proxy.SessionResult;
import dev.regshim.regs.RegCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code regshim proxy}: live-migrate between unpatched QEMUs, rewriting each vCPU's registers on the way. */
@Command(name = "proxy", mixinStandardHelpOptions = true,
        description = {"Relay a live migration between unpatched QEMUs, rewriting every vCPU's",
            "registers. The source migrates to the proxy (migrate -d tcp:ADDR:PORT); the",
            "proxy forwards to the destination (-incoming tcp:HOST:PORT) and rewrites each",
            "cpu section's cpreg arrays with the rules of 'regshim rewrite' as it arrives.",
            "RAM passes through; the device state is re-read and verified before it is",
            "sent. On a refusal or any failure both connections are closed: the source's",
            "migration fails and its VM keeps running there (enable the source's return-",
            "path capability so that it also learns of a failed load). Progress on stderr,",
            "a summary per migration on stdout.",
            "Exit 0 relayed, 1 refused or the destination failed, 2 usage error or a bad",
            "source stream."})
public final class ProxyCommand implements Callable<Integer> {

    /** On SIGINT/SIGTERM a migration in progress is aborted (safely) and given this long to end. */
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);

    @Spec
    CommandSpec spec;

    @Mixin
    RewritePolicyOptions policyOptions = new RewritePolicyOptions();

    @Option(names = "--listen", paramLabel = "ADDR:PORT", defaultValue = "127.0.0.1:4444",
            description = "where the source connects; a bare PORT means loopback (default: ${DEFAULT-VALUE})")
    String listen;

    @Option(names = "--to", required = true, paramLabel = "HOST:PORT",
            description = "the destination QEMU's -incoming tcp:HOST:PORT")
    String to;

    @Option(names = "--dest-profile", required = true, paramLabel = "PROFILE",
            description = "the destination: a stream or save image it wrote, a capture or profile JSON, a list, kernel:SPEC")
    String destProfile;

    @Option(names = "--source-profile", paramLabel = "PROFILE",
            description = "the source (a stream it saved or a capture of its configuration): refuse before listening"
                    + " when the rewrite must refuse")
    String sourceProfile;

    @Option(names = "--report", paramLabel = "FILE",
            description = "write a JSON report per migration (with --keep-running FILE gets -N before its extension)")
    Path report;

    @Option(names = "--keep-running", description = "serve migrations one after another until stopped")
    boolean keepRunning;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = {"fail a migration when the peer it waits on is silent this long, and drop a new",
                "connection that has not proved a migration stream by then (default: ${DEFAULT-VALUE})"})
    double idleTimeout;

    @Option(names = "--max-device-state", paramLabel = "MIB", defaultValue = "8",
            description = "bound on the device state held until verified (default: ${DEFAULT-VALUE})")
    int maxDeviceStateMib;

    @Option(names = "--progress-interval", paramLabel = "SECONDS", defaultValue = "2", hidden = true)
    double progressInterval;

    @Option(names = "--no-warm-up", hidden = true, description = "skip compiling the hot path before listening")
    boolean noWarmUp;

    @Option(names = "--json", description = "print each migration's summary as JSON")
    boolean json;

    @Override
    public Integer call() {
        Profile dst = ProfileSources.resolve(destProfile);
        RewriteOptions ro = policyOptions.toOptions(dst);
        if (idleTimeout <= 0 || progressInterval <= 0 || maxDeviceStateMib <= 0 || maxDeviceStateMib > 1024) {
            throw new RegshimException("--idle-timeout and --progress-interval must be positive, --max-device-state"
                    + " 1..1024");
        }
        ProxyOptions o = new ProxyOptions(HostPort.parse(listen), HostPort.parse(to), ro,
                sourceProfile == null ? null : ProfileSources.resolve(sourceProfile), keepRunning,
                seconds(idleTimeout), null, ProxyOptions.defaultLimits().toBuilder()
                .maxBufferedDeviceBytes(maxDeviceStateMib << 20).build(), seconds(progressInterval), !noWarmUp);

        Printer printer = new Printer(o);
        List<SessionResult> results;
        try (MigrationProxy proxy = MigrationProxy.open(o, printer)) {
            Thread hook = new Thread(() -> proxy.shutdown(SHUTDOWN_WAIT), "regshim-proxy-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                results = proxy.run();
            } finally {
                removeHook(hook);
            }
        }
        if (keepRunning || results.isEmpty()) {
            return Main.EXIT_OK;
        }
        SessionResult r = results.get(0);
        if (!r.succeeded()) {
            throw new ProxyException(r.fault(), "migration #" + r.number() + " failed: " + r.reason());
        }
        return Main.EXIT_OK;
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // the JVM is already shutting down
        }
    }

    /** Prints the proxy's events: progress on stderr, summaries on stdout, reports to files. */
    private final class Printer implements ProxyEvents {
        private final ProxyOptions options;
        private final PrintWriter out = spec.commandLine().getOut();
        private final PrintWriter err = spec.commandLine().getErr();

        Printer(ProxyOptions options) {
            this.options = options;
        }

        /** Every line goes through the one terminal rule: escaped, one line, bounded (reasons quote the peers). */
        private synchronized void note(String line) {
            err.println(dev.regshim.util.Text.errorLine("regshim proxy: ", line));
            err.flush();
        }

        @Override
        public void preflight(Preflight p) {
            note("preflight: source " + p.source().provenance().summary());
            note("preflight: unmodified " + (p.before().loads() ? "loads" : "FAILS: " + p.before().firstError()));
            for (VcpuRewrite v : p.plan().vcpus()) {
                note(String.format("preflight: cpu %d: %d -> %d registers, %d changes%s", v.instance(),
                        v.before().length(), v.after().length(), v.changes().size(),
                        v.refused() ? ", " + v.refusals().size() + " REFUSED" : ""));
                for (Refusal f : v.refusals()) {
                    note("preflight:   REFUSED " + RegCatalog.get().name(f.id()) + ": " + f.reason());
                }
            }
            note("preflight: " + (p.refused() ? "REFUSED: " + p.refusal() : "rewritten, the model says the destination "
                    + "loads it"));
            if (report != null) {
                writeReport(report, preflightJson(p));
            }
        }

        @Override
        public void listening(InetSocketAddress address) {
            RewriteOptions r = options.rewrite();
            note("listening on " + HostPort.of(address)
                    + ", forwarding to " + options.target() + " (destination " + r.destination().provenance().summary()
                    + "; " + r.settings().semantics().label() + ", " + r.settings().accel().label() + ", policy "
                    + r.policy().label() + (options.keepRunning() ? "; serving until stopped" : "; one migration")
                    + ")");
        }

        @Override
        public void sessionStarted(int session, String source, String destination) {
            note("#" + session + " source " + source + " connected, relaying to " + destination);
        }

        @Override
        public void returnPathOpened(int session) {
            note("#" + session + " return path open: the destination's answers go back to the source");
        }

        @Override
        public void vcpuPlanned(int session, VcpuRewrite v) {
            note(String.format("#%d cpu %d: %d -> %d registers, %d changed%s", session, v.instance(),
                    v.before().length(), v.after().length(), v.changes().size(),
                    v.changes().stream().anyMatch(RegisterChange::lossy) ? " (FORCED: guest state discarded)" : ""));
        }

        @Override
        public void progress(Progress p) {
            note(String.format(Locale.ROOT, "#%d %s in, %s out, %,d data pages%s, %s/s", p.session(),
                    mib(p.bytesIn() + p.extraBytes()), mib(p.bytesOut() + p.extraBytes()), p.dataPages(),
                    p.ramBytes() > 0 ? " (RAM " + mib(p.ramBytes()) + ")" : "", mib((long) p.bytesPerSecond())));
        }

        @Override
        public void returnPathMessage(int session, ReturnPathMessage m) {
            note("#" + session + " return path: " + m);
        }

        @Override
        public void extraChannel(int session, String source) {
            note("#" + session + " multifd channel from " + source + " relayed untouched");
        }

        @Override
        public void rejected(String source, String reason) {
            note("closed a connection from " + source + ": " + reason);
        }

        @Override
        public void sessionEnded(SessionResult r) {
            note("#" + r.number() + " " + r.outcome().name().toLowerCase(Locale.ROOT) + ": " + r.reason());
            ObjectNode j = sessionJson(r, options);
            if (json) {
                synchronized (this) {
                    Json.print(out, j);
                }
            } else {
                printSummary(r);
            }
            if (report != null) {
                writeReport(options.keepRunning() ? numbered(report, r.number()) : report, j);
            }
        }

        private synchronized void printSummary(SessionResult r) {
            out.printf("migration #%d from %s: %s%n", r.number(), r.source(), r.outcome());
            out.println("  result:      " + r.reason());
            out.printf(Locale.ROOT, "  bytes:       %,d in, %,d out%s%n", r.bytesIn(), r.bytesOut(),
                    r.extraChannels() > 0 ? String.format(Locale.ROOT, ", %,d on %d multifd channels", r.extraBytes(),
                            r.extraChannels()) : "");
            out.printf(Locale.ROOT, "  pages:       %,d data, %,d zero (RAM %s)%n", r.dataPages(), r.zeroPages(),
                    mib(r.ramBytes()));
            out.printf(Locale.ROOT, "  registers:   %d changed in %d vCPU%s%n", r.registersChanged(), r.vcpus().size(),
                    r.vcpus().size() == 1 ? "" : "s");
            for (VcpuRewrite v : r.vcpus()) {
                out.printf("    cpu %d: %d -> %d registers%n", v.instance(), v.before().length(), v.after().length());
                for (RegisterChange c : v.changes()) {
                    out.println("      " + changeLine(c));
                }
                for (Refusal f : v.refusals()) {
                    out.println("      REFUSED " + RegCatalog.get().name(f.id()) + ": " + f.reason());
                }
            }
            out.println("  return path: " + (r.returnPath() ? "open" + (r.shutValue().isPresent()
                    ? ", destination sent SHUT " + r.shutValue().getAsLong() : ", no SHUT from the destination")
                    : "not enabled by the source"));
            out.printf(Locale.ROOT, "  duration:    %.3f s (%s/s)%n", r.duration().toNanos() / 1e9,
                    mib((long) r.bytesPerSecond()));
            r.checks().forEach(c -> out.println("  verified:    " + c));
            out.flush();
        }
    }

    static String changeLine(RegisterChange c) {
        String name = RegCatalog.get().name(c.id());
        String old = c.oldValue().isPresent() ? String.format("0x%016x", c.oldValue().getAsLong()) : "-";
        String nu = c.newValue().isPresent() ? String.format("0x%016x", c.newValue().getAsLong()) : "-";
        return String.format("%-8s %-24s %s -> %s  %s", c.kind().name().toLowerCase(Locale.ROOT), name, old, nu,
                c.reason());
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
    }

    static Path numbered(Path report, int n) {
        String name = report.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String numbered = dot > 0 ? name.substring(0, dot) + "-" + n + name.substring(dot) : name + "-" + n;
        return report.resolveSibling(numbered);
    }

    private void writeReport(Path file, ObjectNode n) {
        try {
            Files.writeString(file, Json.MAPPER.writeValueAsString(n) + "\n");
        } catch (IOException e) {
            throw new RegshimException("cannot write the report " + file + ": " + dev.regshim.util.SafeFiles.reason(e), e);
        }
    }

    static ObjectNode sessionJson(SessionResult r, ProxyOptions o) {
        ObjectNode n = Json.object();
        n.put("migration", r.number());
        n.put("source", r.source());
        n.put("destination", o.target().toString());
        n.put("destination_profile", o.rewrite().destination().provenance().summary());
        n.put("semantics", o.rewrite().settings().semantics().label());
        n.put("accel", o.rewrite().settings().accel().label());
        n.put("policy", o.rewrite().policy().label());
        n.put("outcome", r.outcome().name().toLowerCase(Locale.ROOT));
        if (r.fault() != null) {
            n.put("fault", r.fault().name().toLowerCase(Locale.ROOT));
        }
        n.put("exit_code", r.exitCode());
        n.put("reason", r.reason());
        n.put("return_path", r.returnPath());
        r.shutValue().ifPresent(v -> n.put("shut", v));
        n.put("bytes_in", r.bytesIn());
        n.put("bytes_out", r.bytesOut());
        n.put("data_pages", r.dataPages());
        n.put("zero_pages", r.zeroPages());
        n.put("ram_bytes", r.ramBytes());
        n.put("multifd_channels", r.extraChannels());
        n.put("multifd_bytes", r.extraBytes());
        n.put("registers_changed", r.registersChanged());
        n.put("duration_ms", r.duration().toMillis());
        n.put("bytes_per_second", Math.round(r.bytesPerSecond()));
        n.set("vcpus", RewriteCommand.vcpusJson(r.vcpus()));
        ArrayNode checks = n.putArray("verification");
        r.checks().forEach(checks::add);
        return n;
    }

    static ObjectNode preflightJson(Preflight p) {
        ObjectNode n = Json.object();
        n.put("preflight", true);
        n.put("source", p.source().provenance().summary());
        n.put("unmodified_loads", p.before().loads());
        if (p.before().firstError() != null) {
            n.put("unmodified_first_error", p.before().firstError());
        }
        n.put("refused", p.refused());
        if (p.refused()) {
            n.put("refusal", p.refusal());
        }
        n.set("vcpus", RewriteCommand.vcpusJson(p.plan().vcpus()));
        return n;
    }
}
