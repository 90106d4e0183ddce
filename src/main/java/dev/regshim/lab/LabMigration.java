package dev.regshim.lab;

import dev.regshim.util.SafeFiles;
import dev.regshim.check.CheckResult;
import dev.regshim.check.MigrationCheck;
import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.KvmValueRule;
import dev.regshim.cpreg.LoadSettings;
import dev.regshim.cpreg.Semantics;
import dev.regshim.kernel.capture.CaptureJson;
import dev.regshim.kernel.capture.CaptureSpecs;
import dev.regshim.kernel.capture.CapturedSet;
import dev.regshim.kernel.capture.KvmCapture;
import dev.regshim.lab.guest.Continuity;
import dev.regshim.policy.Policy;
import dev.regshim.policy.RewriteOptions;
import dev.regshim.profile.Profile;
import dev.regshim.profile.source.CaptureProfileSource;
import dev.regshim.profile.source.KernelProfileSource;
import dev.regshim.profile.source.StreamProfiles;
import dev.regshim.proxy.HostPort;
import dev.regshim.proxy.MigrationProxy;
import dev.regshim.proxy.ProxyEvents;
import dev.regshim.proxy.ProxyOptions;
import dev.regshim.proxy.SessionResult;
import dev.regshim.regs.RegSet;
import dev.regshim.rewrite.StreamRewriter;
import dev.regshim.rewrite.Verification;
import dev.regshim.stream.ReadOptions;
import dev.regshim.stream.container.StreamFiles;
import dev.regshim.util.JsonInput;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code regshim lab migrate}: a guest started under KVM on one real kernel, migrated to another, on two lab hosts
 * (outer VMs of the same host CPU), through one of regshim's paths:
 * <ul>
 *   <li>{@link Via#DIRECT}: the source's QEMU saves the running guest (to a virtio-serial port, a file here), the
 *       destination's QEMU loads it unchanged: what happens without regshim;</li>
 *   <li>{@link Via#REWRITE}: the same, with {@code regshim rewrite} in between, against the destination's kernel
 *       capture;</li>
 *   <li>{@link Via#PROXY}: a live TCP migration through {@code regshim proxy} running here, between the two hosts'
 *       QEMUs reached over QEMU user networking.</li>
 * </ul>
 * Before the destination is asked, regshim predicts the load ({@code check} of the source's stream against the
 * destination's capture, and against the kernel table's profile for it); the report holds the prediction, QEMU's
 * real lines and status, and whether the counter guest went on counting where it stopped.
 */
public final class LabMigration {

    /** The path the guest's state takes. */
    public enum Via {
        DIRECT, REWRITE, PROXY;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Via parse(String s) {
            for (Via v : values()) {
                if (v.label().equals(s.strip().toLowerCase(java.util.Locale.ROOT))) {
                    return v;
                }
            }
            throw new LabException("unknown --via '" + dev.regshim.util.Text.safe(s, 20) + "' (direct, rewrite, proxy)");
        }
    }

    /** What runs in the guest: the counter program, or nothing (a paused VM at reset, never started). */
    public enum Guest {
        COUNTER, IDLE;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Guest parse(String s) {
            for (Guest g : values()) {
                if (g.label().equals(s.strip().toLowerCase(java.util.Locale.ROOT))) {
                    return g;
                }
            }
            throw new LabException("unknown --guest '" + dev.regshim.util.Text.safe(s, 20) + "' (counter, idle)");
        }
    }

    /**
     * One lab migration. {@code keep}: a directory to leave the streams and captures in (null: nothing kept);
     * {@code saved}: the source's guest already saved by {@link #save} (null: boot the source now).
     */
    public record Request(String from, String to, LabHost host, String qemuSeries, Via via, Guest guest,
                          Duration timeout, Path keep, SavedSource saved, boolean el2) {

        public Request(String from, String to, LabHost host, String qemuSeries, Via via, Guest guest, Duration timeout,
                       Path keep) {
            this(from, to, host, qemuSeries, via, guest, timeout, keep, null, true);
        }

        public Request withTo(String kernel, Via v, SavedSource s) {
            return new Request(from, kernel, host, qemuSeries, v, guest, timeout, keep, s, el2);
        }

        /** The hosts' kernels booted at EL1, without KVM (to test that failure). */
        public Request atEl1() {
            return new Request(from, to, host, qemuSeries, via, guest, timeout, keep, saved, false);
        }

        /** Loads a stream saved elsewhere instead of booting a source ({@code from} then only names it). */
        public Request withSaved(SavedSource s) {
            if (via == Via.PROXY) {
                throw new LabException("a saved stream cannot be migrated live: use --via direct or rewrite");
            }
            return new Request(from, to, host, qemuSeries, via, guest, timeout, keep, s, el2);
        }
    }

    /** A source guest saved once (its stream, what it printed, and the source's own lines), for several loads. */
    public record SavedSource(Path stream, String release, String migration, List<String> qemuLines, String guestText) {

        /**
         * A stream saved outside this run (a kept source, a real host's save): its source kernel is unknown, and its
         * guest's serial output is read from {@code guestFile} when given (null: the guest's continuity is not
         * judged).
         */
        public static SavedSource given(Path stream, Path guestFile) {
            if (!Files.isRegularFile(stream)) {
                throw new LabException(stream + ": no such stream file");
            }
            return new SavedSource(stream, null, "given", List.of(), guestFile == null ? null : serialText(guestFile));
        }

        private static String serialText(Path file) {
            try {
                if (Files.size(file) > MAX_SERIAL_BYTES) {
                    throw new LabException(file + ": larger than " + MAX_SERIAL_BYTES + " bytes: not a guest's serial output");
                }
                return Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                throw new LabException(file + ": " + SafeFiles.reason(e));
            }
        }
    }

    /** A counter guest prints a few hundred bytes a second; a serial log beyond this is not one. */
    static final long MAX_SERIAL_BYTES = 16L << 20;
    static final Duration BOOT = Duration.ofMinutes(3);
    static final Duration STEP = Duration.ofMinutes(2);
    static final int RUN_SECONDS_BEFORE = 2;
    static final int RUN_SECONDS_AFTER = 3;

    private final Consumer<String> progress;

    public LabMigration(Consumer<String> progress) {
        this.progress = progress;
    }

    public LabReport run(Request r) {
        boolean network = r.via() == Via.PROXY;
        KernelFiles from = r.saved() == null ? hostKernel(r.from(), network) : null;
        KernelFiles to = hostKernel(r.to(), network);
        LabUserland userland = LabUserland.of(r.qemuSeries(), progress);
        Path counter = GuestProgram.counter(progress);
        Path base = LabInitramfs.base(userland, counter);
        Path captureFile = LabCaptures.capture(to, r.to(), r.host(), progress);
        KvmCapture destination = CaptureJson.read(JsonInput.read(captureFile, CaptureJson.MAX_FILE_BYTES));
        KvmCapture source = r.via() == Via.PROXY ? CaptureJson.read(JsonInput.read(
                LabCaptures.capture(from, r.from(), r.host(), progress), CaptureJson.MAX_FILE_BYTES)) : null;
        Path work = null;
        try {
            work = Files.createTempDirectory("regshim-lab-");
            LabReport.Builder report = new LabReport.Builder(r, userland.version());
            if (r.via() == Via.PROXY) {
                // a live source has no saved stream: the prediction is from the two hosts' kernel captures
                predict(r, profileOf(source, "source capture"), destination, report);
                live(r, from, to, base, destination, work, report);
            } else {
                saved(r, from, to, base, destination, work, report);
            }
            keep(r, work, captureFile);
            return report.build();
        } catch (IOException e) {
            throw new LabException("lab migration: " + SafeFiles.reason(e));
        } finally {
            SafeFiles.deleteTree(work);
        }
    }

    /**
     * A lab host's kernel, with the modules the host must load: the virtio stack where the kernel builds it as
     * modules (else the host never reaches its control port), and the network's for a live migration.
     */
    private KernelFiles hostKernel(String kernel, boolean network) {
        KernelFiles k = new KernelCapturer(progress).resolve(kernel);
        if (!k.lacksLabModules(network)) {
            return k;
        }
        if (DebianKernels.VERSION.matcher(kernel).matches()) {
            return new DebianKernels(progress).fetch(kernel, true);
        }
        if (KernelFiles.ORIGIN_DEB.equals(k.origin())) {
            return new DebianKernels(progress).unpack(Path.of(kernel), true);
        }
        throw new LabException(kernel + ": a bare Image cannot be given the modules a lab host needs"
                + (network ? " for its network" : " (its virtio is built as modules)") + ": give its .deb");
    }

    /** Boots the source host, runs the guest a moment, saves it into {@code stream} (a file here). */
    public SavedSource save(String kernel, LabHost host, String qemuSeries, Guest guest, Path stream) {
        return save(kernel, host, qemuSeries, guest, stream, true, BOOT);
    }

    SavedSource save(String kernel, LabHost host, String qemuSeries, Guest guest, Path stream, boolean el2,
                     Duration wait) {
        KernelFiles from = hostKernel(kernel, false);
        LabUserland userland = LabUserland.of(qemuSeries, progress);
        Path base = LabInitramfs.base(userland, GuestProgram.counter(progress));
        Path work = null;
        try {
            work = Files.createTempDirectory("regshim-lab-");
            return saveInto(from, host, guest, base, work, stream, el2, wait);
        } catch (IOException e) {
            throw new LabException("lab: " + SafeFiles.reason(e));
        } finally {
            SafeFiles.deleteTree(work);
        }
    }

    private SavedSource saveInto(KernelFiles from, LabHost host, Guest guest, Path base, Path work, Path stream,
                                 boolean el2, Duration wait) throws IOException {
        Files.deleteIfExists(stream);
        Files.createFile(stream);
        Path initrd = work.resolve("source.cpio");
        LabInitramfs.write(initrd, base, Map.of(), from.labModules(false));
        progress.accept("source: booting " + from.describe() + " on " + host.label());
        try (LabVm src = LabVm.start(new LabVm.Spec("source", host, from.image(), initrd, "source", guest.label(),
                null, false, 0, stream, work, el2))) {
            requireEvent(src, "running", "the guest did not start on the source", wait);
            if (guest == Guest.COUNTER) {
                src.send("run " + RUN_SECONDS_BEFORE);
                requireEvent(src, "ran", "the source did not report its guest", wait);
            }
            progress.accept("source: saving the guest (QEMU migrate to a file)");
            src.send("migrate out");
            String st = src.awaitMigration(1, STEP).orElseThrow(() -> failure(src, "the source's migration did not end"));
            src.send("quit");
            src.awaitDone(STEP);
            if (!st.equals("completed")) {
                throw failure(src, "the source's QEMU could not save the guest (" + st + ")");
            }
            if (Files.size(stream) == 0) {
                throw new LabException("the source saved an empty stream");
            }
            return new SavedSource(stream, src.transcript().release(), st, src.transcript().qemuErr(),
                    src.transcript().guest());
        }
    }

    /** Direct or rewrite: save on the source (unless saved already), (rewrite,) load on the destination. */
    private void saved(Request r, KernelFiles from, KernelFiles to, Path base, KvmCapture destination, Path work,
                       LabReport.Builder report) throws IOException {
        SavedSource src = r.saved() != null ? r.saved() : saveInto(from, r.host(), r.guest(), base, work,
                work.resolve("source.mig"), r.el2(), r.timeout());
        Path stream = src.stream();
        report.sourceRelease(src.release()).sourceMigration(src.migration(), src.qemuLines()).sourceGuest(src.guestText());
        Profile srcProfile = StreamProfiles.fromSummary(StreamFiles.summarize(stream, ReadOptions.defaults()),
                "source.mig", "stream");
        predict(r, srcProfile, destination, report);
        Path incoming = stream;
        if (r.via() == Via.REWRITE) {
            Path out = work.resolve("rewritten.mig");
            StreamRewriter.Result rr = StreamRewriter.rewrite(stream, out, rewriteOptions(r, destination),
                    Verification.DECODE);
            report.rewrite(rr);
            progress.accept(rr.written() ? "rewrite: " + rr.plan().vcpus().size() + " vCPU(s) rewritten"
                    : "rewrite: refused: " + rr.refusal());
            if (!rr.written()) {
                return;
            }
            incoming = out;
        }
        Path dinitrd = work.resolve("destination.cpio");
        LabInitramfs.write(dinitrd, base, Map.of("lab/incoming.mig", incoming), to.labModules(false));
        progress.accept("destination: booting " + to.describe() + " and loading the stream");
        try (LabVm dst = LabVm.start(new LabVm.Spec("destination", r.host(), to.image(), dinitrd, "destination",
                r.guest().label(), "file", false, 0, null, work, r.el2()))) {
            finishDestination(r, dst, report);
        }
        if (r.keep() != null) {
            Files.createDirectories(r.keep());
            Files.copy(stream, r.keep().resolve("source.mig"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            if (src.guestText() != null) {
                Files.writeString(r.keep().resolve("source-guest.txt"), src.guestText());
            }
            if (!incoming.equals(stream)) {
                Files.copy(incoming, r.keep().resolve("rewritten.mig"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Proxy: both hosts up, the source migrates live through regshim proxy here. */
    private void live(Request r, KernelFiles from, KernelFiles to, Path base, KvmCapture destination, Path work,
                      LabReport.Builder report) throws IOException {
        int forward = freePort();
        int listen = freePort();
        Path dinitrd = work.resolve("destination.cpio");
        LabInitramfs.write(dinitrd, base, Map.of(), to.labModules(true));
        Path sinitrd = work.resolve("source.cpio");
        LabInitramfs.write(sinitrd, base, Map.of(), from.labModules(true));
        progress.accept("destination: booting " + to.describe() + ", listening for the migration");
        try (LabVm dst = LabVm.start(new LabVm.Spec("destination", r.host(), to.image(), dinitrd, "destination",
                r.guest().label(), "tcp", true, forward, null, work, r.el2()))) {
            requireEvent(dst, "listening", "the destination's QEMU did not start listening", r.timeout());
            MigrationProxy proxy = MigrationProxy.open(ProxyOptions.of(new HostPort(HostPort.LOOPBACK, listen),
                    new HostPort(HostPort.LOOPBACK, forward), rewriteOptions(r, destination)), ProxyEvents.NONE);
            CompletableFuture<List<SessionResult>> sessions = CompletableFuture.supplyAsync(proxy::run);
            progress.accept("proxy: listening on 127.0.0.1:" + listen + ", relaying to the destination");
            try {
                progress.accept("source: booting " + from.describe() + " on " + r.host().label());
                try (LabVm src = LabVm.start(new LabVm.Spec("source", r.host(), from.image(), sinitrd, "source",
                        r.guest().label(), null, true, 0, null, work, r.el2()))) {
                    requireEvent(src, "running", "the guest did not start on the source", r.timeout());
                    report.sourceRelease(src.transcript().release());
                    if (r.guest() == Guest.COUNTER) {
                        src.send("run " + RUN_SECONDS_BEFORE);
                        requireEvent(src, "ran", "the source did not report its guest", r.timeout());
                    }
                    progress.accept("source: migrating live to tcp:10.0.2.2:" + listen + " (regshim proxy here)");
                    src.send("migrate tcp:10.0.2.2:" + listen);
                    String st = src.awaitMigration(1, STEP).orElseThrow(() -> failure(src, "the source's migration did not end"));
                    report.sourceMigration(st, src.transcript().qemuErr());
                    SessionResult session = await(sessions, proxy);
                    report.proxy(session);
                    if (!st.equals("completed")) {
                        // the refused migration must leave the guest running on the source
                        report.sourceContinued(sourceGoesOn(src, report));
                    }
                    src.send("quit");
                    src.awaitDone(STEP);
                    report.sourceGuest(src.transcript().guest());
                    if (st.equals("completed")) {
                        finishDestination(r, dst, report);
                    } else {
                        dst.close();
                        report.destinationNotReached();
                    }
                }
            } finally {
                proxy.shutdown(Duration.ofSeconds(5));
                proxy.close();
            }
        }
    }

    /**
     * After a failed migration: whether the source's guest goes on. QEMU resumes it by itself (seen with 10.0 and
     * 11.1); where it is found otherwise (once with 11.1, a few seconds after the failure) the lab does what libvirt
     * does after a failed migration, {@code cont}, says so, and checks that the guest counts on.
     */
    private boolean sourceGoesOn(LabVm src, LabReport.Builder report) {
        long ran = src.transcript().eventCount("ran");
        src.send("run " + RUN_SECONDS_AFTER);
        src.awaitEvents("ran", ran + 1, STEP);
        String status = src.transcript().lastStatus();
        if ("running".equals(status) || status == null) {
            return "running".equals(status);
        }
        progress.accept("source: after the failed migration its QEMU left the guest " + status
                + ": resuming it with cont, as libvirt does");
        report.sourceResumed(status);
        src.send("cont " + RUN_SECONDS_AFTER);
        src.awaitEvents("ran", ran + 2, STEP);
        return "running".equals(src.transcript().lastStatus());
    }

    private static SessionResult await(CompletableFuture<List<SessionResult>> sessions, MigrationProxy proxy) {
        try {
            proxy.shutdown(Duration.ofSeconds(60));
            List<SessionResult> s = sessions.get(90, TimeUnit.SECONDS);
            if (s.isEmpty()) {
                throw new LabException("the proxy saw no migration");
            }
            return s.get(0);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new LabException("the proxy failed: " + e.getCause().getMessage());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new LabException("the proxy did not finish its session");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted");
        }
    }

    private void finishDestination(Request r, LabVm dst, LabReport.Builder report) {
        boolean loaded = dst.awaitEvent("loaded", r.timeout());
        if (loaded) {
            dst.send("run " + RUN_SECONDS_AFTER);
            dst.awaitEvent("ran", STEP);
            dst.send("quit");
        }
        dst.awaitDone(STEP);
        LabTranscript t = dst.transcript();
        if (t.release() == null) {
            throw failure(dst, "the destination did not boot");
        }
        if (!loaded && t.error() != null) {
            // the lab host itself failed (no KVM, no control port, a module): QEMU never judged the stream
            throw new LabException(dst.name() + ": " + dev.regshim.util.Text.safe(t.error(), 160));
        }
        report.destination(t.release(), loaded, t.qemuErr(), t.qemuExit(), t.guest(),
                t.events().stream().anyMatch(e -> e.equals("status running")));
        progress.accept("destination: " + (loaded ? "loaded, guest running" : "refused the stream"
                + (t.qemuExit() == null ? "" : " (QEMU exit " + t.qemuExit() + ")")));
    }

    private static Profile profileOf(KvmCapture c, String name) {
        CapturedSet set = c.cpuHostDefault().orElseThrow(() -> new LabException("the " + name + " has no -cpu host set"));
        return CaptureProfileSource.fromSet(c, set, name);
    }

    private void predict(Request r, Profile src, KvmCapture destination, LabReport.Builder report) {
        CapturedSet set = destination.cpuHostDefault().orElseThrow(() -> new LabException(
                "the destination capture has no -cpu host set"));
        Profile dst = CaptureProfileSource.fromSet(destination, set, "destination capture");
        LoadSettings s = settings(r);
        CheckResult byCapture = MigrationCheck.run(src, dst, s, dst.kvmValueRule());
        String spec = CaptureSpecs.specText(destination, set);
        CheckResult byTable = spec == null ? null : MigrationCheck.run(src,
                KernelProfileSource.fromList(dev.regshim.kernel.KernelRegDb.parseSpec(spec), "kernel:" + spec), s,
                KvmValueRule.CONSERVATIVE);
        report.prediction(byCapture, spec, byTable);
    }

    private static LoadSettings settings(Request r) {
        dev.regshim.cpreg.DestinationRelease release = dev.regshim.cpreg.DestinationRelease.resolve(r.qemuSeries(), null);
        return new LoadSettings(Semantics.resolve(Semantics.AUTO, release), Accel.KVM, RegSet.empty(), RegSet.empty(),
                release);
    }

    private static RewriteOptions rewriteOptions(Request r, KvmCapture destination) {
        CapturedSet set = destination.cpuHostDefault().orElseThrow(() -> new LabException(
                "the destination capture has no -cpu host set"));
        return new RewriteOptions(CaptureProfileSource.fromSet(destination, set, "destination capture"), settings(r),
                Policy.STRICT, List.of());
    }

    private void requireEvent(LabVm vm, String event, String what, Duration wait) {
        if (!vm.awaitEvent(event, wait)) {
            throw failure(vm, vm.transcript().isEnded() || vm.transcript().done() ? what
                    : what + " within " + wait.toSeconds() + " s");
        }
    }

    private static LabException failure(LabVm vm, String what) {
        return new LabException(vm.name() + ": " + what + ": " + dev.regshim.util.Text.safe(vm.lastWords(), 160));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void keep(Request r, Path work, Path capture) throws IOException {
        if (r.keep() == null) {
            return;
        }
        Files.createDirectories(r.keep());
        Files.copy(capture, r.keep().resolve("destination-capture.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** The continuity verdict of a counter guest across the migration. */
    static Optional<Continuity.Report> continuity(String source, String destination, Guest guest) {
        if (guest != Guest.COUNTER || source == null) {
            return Optional.empty();
        }
        return Optional.of(Continuity.check(source, destination, false));
    }
}
