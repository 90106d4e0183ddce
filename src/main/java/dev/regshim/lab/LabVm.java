package dev.regshim.lab;

import dev.regshim.util.SafeFiles;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * One lab host: an outer QEMU ({@code -M virt,virtualization=on,gic-version=3}) booting a real arm64 kernel whose
 * {@code /init} is {@code lab-init.sh}. It carries a virtio-serial control port (a UNIX socket here, commands in
 * lines), optionally an output port (a file here: what the inner QEMU migrates to {@code out}), and optionally a
 * network behind QEMU user networking (the inner QEMU reaches this machine's 127.0.0.1 as 10.0.2.2; {@code forward}
 * maps a port of 127.0.0.1 here to port 4444 of the lab host).
 */
final class LabVm implements AutoCloseable {

    static final String MEMORY = "1280";
    static final int INNER_PORT = 4444;
    static final Duration CONTROL_CONNECT = Duration.ofSeconds(20);

    /** How to boot one lab host. */
    record Spec(String name, LabHost host, Path image, Path initrd, String role, String guest, String incoming,
                boolean network, int forwardPort, Path outFile, Path workDir, boolean el2) {
    }

    private final Spec spec;
    private final ChildProcess qemu;
    private final LabTranscript transcript = new LabTranscript();
    private final List<String> stderr = new ArrayList<>();
    private final Thread waiter;
    private volatile OptionalInt exit = OptionalInt.empty();
    private SocketChannel control;

    private LabVm(Spec spec) {
        this.spec = spec;
        Path sock = spec.workDir().resolve(spec.name() + ".ctl");
        List<String> cmd = new ArrayList<>(List.of(spec.host().qemu().path().toString(),
                "-M", (spec.el2() ? OuterVm.MACHINE : OuterVm.MACHINE_EL1) + (mte(spec.host()) ? OuterVm.MTE : ""),
                "-cpu", spec.host().cpu(),
                "-smp", "1", "-m", MEMORY, "-nodefaults", "-display", "none", "-no-reboot", "-serial", "stdio",
                "-kernel", spec.image().toString(), "-initrd", spec.initrd().toString(),
                "-append", append(spec),
                "-device", "virtio-serial-pci,id=vs",
                "-chardev", "socket,id=ctl,path=" + sock + ",server=on,wait=off",
                "-device", "virtserialport,bus=vs.0,chardev=ctl,name=regshim.ctl"));
        if (spec.outFile() != null) {
            cmd.addAll(List.of("-chardev", "file,id=out,path=" + spec.outFile(),
                    "-device", "virtserialport,bus=vs.0,chardev=out,name=regshim.out"));
        }
        if (spec.network()) {
            String netdev = "user,id=n0,net=10.0.2.0/24,host=10.0.2.2";
            if (spec.forwardPort() > 0) {
                netdev += ",hostfwd=tcp:127.0.0.1:" + spec.forwardPort() + "-10.0.2.15:" + INNER_PORT;
            }
            cmd.addAll(List.of("-netdev", netdev, "-device", "virtio-net-pci,netdev=n0,romfile="));
        }
        this.qemu = ChildProcess.start("lab-" + spec.name(), cmd, spec.workDir(), transcript::line, line -> {
            synchronized (stderr) {
                if (stderr.size() < 50) {
                    stderr.add(line);
                }
            }
        });
        this.waiter = new Thread(() -> {
            exit = qemu.await(Duration.ofHours(2));
            transcript.ended();
        }, "lab-" + spec.name() + "-wait");
        waiter.setDaemon(true);
        waiter.start();
    }

    static LabVm start(Spec spec) {
        return new LabVm(spec);
    }

    /** MTE only for the CPU model regshim knows has it: the lab does not need it and it slows the boot. */
    private static boolean mte(LabHost h) {
        return false;
    }

    private static String append(Spec s) {
        StringBuilder b = new StringBuilder("console=ttyAMA0 loglevel=1 panic=-1 rdinit=/init");
        b.append(" regshim.role=").append(s.role()).append(" regshim.guest=").append(s.guest());
        if (s.incoming() != null) {
            b.append(" regshim.incoming=").append(s.incoming());
        }
        if (s.network()) {
            b.append(" regshim.net=1");
        }
        return b.toString();
    }

    LabTranscript transcript() {
        return transcript;
    }

    String name() {
        return spec.name();
    }

    /** Waits for "@@ lab event PREFIX..."; false when the host ended or the time ran out first. */
    boolean awaitEvent(String prefix, Duration limit) {
        return await(() -> transcript.hasEvent(prefix) || transcript.done(), limit) && transcript.hasEvent(prefix);
    }

    /** Waits until the host has reported {@code n} events starting with {@code prefix}. */
    boolean awaitEvents(String prefix, long n, Duration limit) {
        return await(() -> transcript.eventCount(prefix) >= n || transcript.done(), limit)
                && transcript.eventCount(prefix) >= n;
    }

    /** Waits for the n-th migration outcome the source reports; empty when none came. */
    java.util.Optional<String> awaitMigration(int n, Duration limit) {
        await(() -> transcript.migrations().size() >= n || transcript.done(), limit);
        List<String> m = transcript.migrations();
        return m.size() >= n ? java.util.Optional.of(m.get(n - 1)) : java.util.Optional.empty();
    }

    /** Waits until the host reports it is done and the outer QEMU has exited. */
    boolean awaitDone(Duration limit) {
        boolean done = await(transcript::done, limit);
        try {
            waiter.join(Math.max(1, limit.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return done && !waiter.isAlive();
    }

    private boolean await(java.util.function.BooleanSupplier test, Duration limit) {
        try {
            return transcript.await(test, System.nanoTime() + limit.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted");
        }
    }

    /** Sends one command line on the control port (connecting on first use). */
    void send(String command) {
        try {
            if (control == null) {
                control = connect(spec.workDir().resolve(spec.name() + ".ctl"));
            }
            ByteBuffer b = ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) {
                control.write(b);
            }
        } catch (IOException e) {
            throw new LabException(spec.name() + ": cannot reach the lab host's control port: " + SafeFiles.reason(e));
        }
    }

    private SocketChannel connect(Path sock) throws IOException {
        long deadline = System.nanoTime() + CONTROL_CONNECT.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline && !transcript.isEnded()) {
            if (Files.exists(sock)) {
                try {
                    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                    ch.connect(UnixDomainSocketAddress.of(sock));
                    return ch;
                } catch (IOException e) {
                    last = e;
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
        throw last != null ? last : new IOException("no control socket " + sock);
    }

    OptionalInt exit() {
        return exit;
    }

    List<String> stderr() {
        synchronized (stderr) {
            return List.copyOf(stderr);
        }
    }

    /** The last console line that was not a report, for error messages. */
    String lastWords() {
        List<String> c = transcript.context();
        if (transcript.error() != null) {
            return transcript.error();
        }
        if (!stderr().isEmpty()) {
            return stderr().get(0);
        }
        return c.isEmpty() ? "(no console output)" : c.get(c.size() - 1);
    }

    @Override
    public void close() {
        try {
            if (control != null) {
                control.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        qemu.close();
        transcript.ended();
    }
}
