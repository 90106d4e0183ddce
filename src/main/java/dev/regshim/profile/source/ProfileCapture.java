package dev.regshim.profile.source;

import dev.regshim.RegshimException;
import dev.regshim.profile.Profile;
import dev.regshim.profile.Provenance;
import dev.regshim.qemu.MigrationResult;
import dev.regshim.qemu.QemuBinary;
import dev.regshim.qemu.QemuException;
import dev.regshim.qemu.QemuProcess;
import dev.regshim.stream.ReadOptions;
import dev.regshim.stream.StreamReader;
import dev.regshim.stream.StreamSummary;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code regshim profile capture -- qemu-system-aarch64 <args>}: starts that QEMU paused ({@code -S}) with QMP on a
 * private socket, migrates its state to a loopback socket regshim listens on, reads the stream as it arrives (RAM is
 * counted, never kept) and turns it into a profile. The QEMU process, its socket directory and the listener are
 * cleaned up whatever happens.
 */
public final class ProfileCapture {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    private ProfileCapture() {
    }

    public static Profile capture(List<String> command, Duration timeout) {
        return capture(command, timeout, String.join(" ", command));
    }

    /** @param source what the profile's provenance names as its source (a libvirt domain, or the command itself) */
    public static Profile capture(List<String> command, Duration timeout, String source) {
        if (command.isEmpty()) {
            throw new RegshimException("profile capture needs a QEMU command line after --");
        }
        QemuBinary binary = resolveBinary(command.get(0));
        List<String> args = new ArrayList<>(command.subList(1, command.size()));
        if (!args.contains("-S")) {
            args.add("-S");
        }
        ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "regshim-capture-reader");
            t.setDaemon(true);
            return t;
        });
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            server.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            Future<StreamSummary> summary = reader.submit(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
                    return StreamReader.summarize(in, ReadOptions.defaults());
                }
            });
            try (QemuProcess qemu = QemuProcess.builder(binary).args(args).start()) {
                String version = qemu.version().toString();
                qemu.startMigration("tcp:127.0.0.1:" + server.getLocalPort());
                MigrationResult m = qemu.awaitMigration(timeout);
                StreamSummary s;
                try {
                    s = summary.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof RegshimException) {
                        throw (RegshimException) c;
                    }
                    throw new RegshimException("capture: reading QEMU's stream failed: " + c);
                } catch (TimeoutException e) {
                    throw new RegshimException("capture: QEMU's stream did not end within " + timeout.toSeconds()
                            + " s (migration status " + m.status() + ")");
                }
                if (!"completed".equals(m.status())) {
                    throw new RegshimException("capture: QEMU's migration ended " + m.status()
                            + (m.errorDesc() == null ? "" : ": " + m.errorDesc()));
                }
                Profile p = StreamProfiles.fromSummary(s, source, "capture");
                Provenance prov = p.provenance().withQemu(version, p.machineType(), option(args, "-cpu"),
                        accel(args, p.provenance().accel()));
                return new Profile(prov, p.machineType(), p.pageSize(), p.ramBlocks(), p.sections(), p.vcpus(), true, false);
            } catch (QemuException e) {
                throw new RegshimException("capture: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegshimException("capture interrupted");
            }
        } catch (IOException e) {
            throw new RegshimException("capture: " + e.getMessage(), e);
        } finally {
            reader.shutdownNow();
        }
    }

    private static QemuBinary resolveBinary(String name) {
        Path p = Path.of(name);
        if (name.contains("/")) {
            if (!Files.isExecutable(p)) {
                throw new RegshimException("capture: " + name + " is not an executable");
            }
            return QemuBinary.at(p);
        }
        return dev.regshim.util.Executables.onPath(name).map(QemuBinary::at)
                .orElseThrow(() -> new RegshimException("capture: " + name + " not found on PATH"));
    }

    static String option(List<String> args, String name) {
        for (int i = 0; i < args.size() - 1; i++) {
            if (args.get(i).equals(name)) {
                return args.get(i + 1);
            }
        }
        return null;
    }

    /** {@code -accel kvm}, {@code -enable-kvm} or {@code -machine ...,accel=kvm}; otherwise QEMU's default, TCG. */
    static String accel(List<String> args, String hint) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-enable-kvm")) {
                return "kvm";
            }
            if ((a.equals("-accel") || a.equals("--accel")) && i + 1 < args.size()) {
                return args.get(i + 1).split(",")[0].toLowerCase(Locale.ROOT);
            }
            if ((a.equals("-M") || a.equals("-machine")) && i + 1 < args.size()) {
                for (String part : args.get(i + 1).split(",")) {
                    if (part.startsWith("accel=")) {
                        return part.substring("accel=".length()).split(":")[0];
                    }
                }
            }
        }
        return hint != null ? hint : "tcg";
    }
}
