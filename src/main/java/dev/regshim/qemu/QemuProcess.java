package dev.regshim.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.regshim.release.QemuVersion;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * One running {@code qemu-system-aarch64}, driven through QMP.
 *
 * <p>Every process is started as {@code <binary> -nodefaults -display none -qmp unix:<dir>/qmp.sock,server=on,wait=off
 * <args>}, where {@code <dir>} is a fresh private (0700) temporary directory. Its stdout and stderr are kept in
 * bounded buffers ({@link BoundedLines}). {@link #close()} always kills the process (and any {@code exec:}
 * helpers it spawned) and deletes the directory, whatever state things are in; a JVM shutdown hook does the same
 * for processes that were never closed.
 *
 * <p>Typical uses:
 * <pre>{@code
 * try (QemuProcess src = QemuProcess.builder(qemu).args("-M", "virt", "-cpu", "max", "-m", "64", "-S").start()) {
 *     src.migrateToFile(stream);
 * }
 * try (QemuProcess dst = QemuProcess.builder(qemu).args(...).incomingDefer().start()) {
 *     dst.migrateIncomingFromFile(stream);
 *     IncomingResult r = dst.waitForIncomingResult(Duration.ofSeconds(10));
 * }
 * }</pre>
 */
public final class QemuProcess implements AutoCloseable {

    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(20);
    public static final Duration DEFAULT_MIGRATION_TIMEOUT = Duration.ofSeconds(60);
    static final Duration KILL_WAIT = Duration.ofSeconds(5);
    private static final Duration MIN_CALL_TIMEOUT = Duration.ofSeconds(1);
    private static final long POLL_MIN_MS = 2;
    private static final long POLL_MAX_MS = 20;
    /** Unix socket paths are limited to 107 bytes; leave room for the socket's own name. */
    private static final int MAX_WORKDIR_PATH = 90;
    private static final String QMP_SOCKET = "qmp.sock";
    /** QEMU prefixes every error line with its program name, e.g. "qemu-system-aarch64: ". */
    private static final Pattern PROGRAM_PREFIX = Pattern.compile("^\\S*qemu-system-[\\w-]+: ");
    private static final Set<String> MIGRATION_DONE = Set.of("completed", "failed", "cancelled");

    private static final Set<QemuProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> List.copyOf(LIVE).forEach(QemuProcess::close),
                "regshim-qemu-cleanup"));
    }

    private final QemuBinary binary;
    private final List<String> command;
    private final Path workDir;
    private final Process process;
    private final BoundedLines stdout = new BoundedLines();
    private final BoundedLines stderr = new BoundedLines();
    private volatile QmpClient qmp;
    private volatile boolean closed;

    private QemuProcess(QemuBinary binary, List<String> command, Path workDir, Process process) {
        this.binary = binary;
        this.command = List.copyOf(command);
        this.workDir = workDir;
        this.process = process;
    }

    public static Builder builder(QemuBinary binary) {
        return new Builder(binary);
    }

    /** Starts QEMU with the given arguments (after the fixed base arguments) and default timeouts. */
    public static QemuProcess start(QemuBinary binary, String... args) {
        return builder(binary).args(args).start();
    }

    /** Options for one QEMU process. */
    public static final class Builder {
        private final QemuBinary binary;
        private final List<String> args = new ArrayList<>();
        private Duration startTimeout = DEFAULT_START_TIMEOUT;

        private Builder(QemuBinary binary) {
            this.binary = binary;
        }

        public Builder args(String... more) {
            return args(List.of(more));
        }

        public Builder args(List<String> more) {
            args.addAll(more);
            return this;
        }

        /** {@code -incoming defer}: the process waits for {@link #migrateIncoming}. */
        public Builder incomingDefer() {
            return args("-incoming", "defer");
        }

        /** {@code -serial file:<file>}: the guest's first UART goes to a file. */
        public Builder serialFile(Path file) {
            return args("-serial", "file:" + file.toAbsolutePath());
        }

        /** How long QEMU may take until its QMP socket answers. */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        public QemuProcess start() {
            return QemuProcess.launch(binary, args, startTimeout);
        }
    }

    private static QemuProcess launch(QemuBinary binary, List<String> args, Duration startTimeout) {
        Path dir = createPrivateDir();
        Path socket = dir.resolve(QMP_SOCKET);
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.path().toString());
        cmd.addAll(List.of("-nodefaults", "-display", "none",
                "-qmp", "unix:" + socket + ",server=on,wait=off"));
        cmd.addAll(args);
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
        } catch (IOException e) {
            dev.regshim.util.SafeFiles.deleteTree(dir);
            throw new QemuException("cannot start " + binary.path() + ": " + e.getMessage(), e);
        }
        QemuProcess q = new QemuProcess(binary, cmd, dir, p);
        LIVE.add(q);
        try {
            p.getOutputStream().close();
            q.stdout.pump(p.getInputStream(), "qemu-stdout " + p.pid());
            q.stderr.pump(p.getErrorStream(), "qemu-stderr " + p.pid());
            q.qmp = q.connectQmp(socket, startTimeout);
            return q;
        } catch (IOException | RuntimeException e) {
            q.close();
            if (e instanceof QemuException) {
                throw (QemuException) e;
            }
            throw new QemuException("cannot start " + binary.path() + ": " + e.getMessage(), e);
        }
    }

    private QmpClient connectQmp(Path socket, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = POLL_MIN_MS;
        QemuException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                stderr.awaitEnd(KILL_WAIT.toMillis());
                throw new QemuException("QEMU exited with status " + process.exitValue() + " before its QMP socket "
                        + "was ready" + describeErrors());
            }
            if (Files.exists(socket)) {
                try {
                    Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
                    return QmpClient.connect(socket, left);
                } catch (QemuException e) {
                    last = e; // bound but not yet listening, or closed again: retry until the deadline
                }
            }
            sleep(pause);
            pause = Math.min(POLL_MAX_MS, pause * 2);
        }
        throw new QemuException("QEMU's QMP socket did not answer within " + timeout.toMillis() + " ms"
                + (last != null ? " (" + last.getMessage() + ")" : "") + describeErrors());
    }

    public QemuBinary binary() {
        return binary;
    }

    /** The full command line QEMU was started with. */
    public List<String> command() {
        return command;
    }

    public long pid() {
        return process.pid();
    }

    /** The private temporary directory (QMP socket); deleted by {@link #close()}. */
    public Path workDir() {
        return workDir;
    }

    public QmpClient qmp() {
        return qmp;
    }

    /** QEMU's version as its QMP greeting announces it (no extra process run). */
    public QemuVersion version() {
        return qmp.version();
    }

    /** {@code query-status}: "prelaunch", "running", "paused", "inmigrate", "postmigrate", ... */
    public String queryStatus() {
        return qmp.execute("query-status").path("status").asText();
    }

    public void stop() {
        qmp.execute("stop");
    }

    public void cont() {
        qmp.execute("cont");
    }

    /** {@code migrate-set-capabilities}, e.g. {@code Map.of("return-path", true)}. */
    public void setMigrationCapabilities(Map<String, Boolean> capabilities) {
        List<Map<String, Object>> list = new ArrayList<>();
        capabilities.forEach((name, on) -> list.add(Map.of("capability", name, "state", on)));
        qmp.execute("migrate-set-capabilities", Map.of("capabilities", list));
    }

    /** {@code migrate-set-parameters}, e.g. {@code Map.of("max-bandwidth", 0)}. */
    public void setMigrationParameters(Map<String, ?> parameters) {
        qmp.execute("migrate-set-parameters", parameters);
    }

    /**
     * Saves the VM to {@code file}: {@code file:} on QEMU 8.2+, else {@code exec:cat > 'file'}. Waits until QEMU
     * reports the migration completed.
     *
     * @throws QemuException when it fails or does not finish within the timeout
     */
    public MigrationResult migrateToFile(Path file) {
        return migrateToFile(file, DEFAULT_MIGRATION_TIMEOUT);
    }

    public MigrationResult migrateToFile(Path file, Duration timeout) {
        return migrateTo(MigrationUris.writeFile(version(), file), timeout);
    }

    /** Migrates to {@code uri} (e.g. {@code tcp:127.0.0.1:PORT}) and waits until it completed; throws otherwise. */
    public MigrationResult migrateTo(String uri) {
        return migrateTo(uri, DEFAULT_MIGRATION_TIMEOUT);
    }

    public MigrationResult migrateTo(String uri, Duration timeout) {
        startMigration(uri);
        MigrationResult r = awaitMigration(timeout);
        if (!r.completed()) {
            throw new QemuException("migration to " + uri + " " + r.status()
                    + (r.errorDesc().isEmpty() ? "" : ": " + r.errorDesc()) + describeErrors());
        }
        return r;
    }

    /** Sends {@code migrate} without waiting; see {@link #awaitMigration}. */
    public void startMigration(String uri) {
        qmp.execute("migrate", Map.of("uri", uri));
    }

    /**
     * Polls {@code query-migrate} until the outgoing migration is completed, failed or cancelled.
     *
     * @throws QemuException on timeout or when QEMU goes away meanwhile
     */
    public MigrationResult awaitMigration(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = POLL_MIN_MS;
        while (true) {
            JsonNode info = qmp.execute("query-migrate", remaining(deadline));
            String status = info.path("status").asText("");
            if (MIGRATION_DONE.contains(status)) {
                return new MigrationResult(status, info.path("total-time").asLong(-1),
                        info.path("downtime").asLong(-1), info.path("ram").path("transferred").asLong(-1),
                        info.path("error-desc").asText(""));
            }
            if (System.nanoTime() >= deadline) {
                throw new QemuException("migration still '" + status + "' after " + timeout.toMillis() + " ms");
            }
            sleep(pause);
            pause = Math.min(POLL_MAX_MS, pause * 2);
        }
    }

    /** {@code migrate-incoming} on a process started with {@link Builder#incomingDefer()}. */
    public void migrateIncoming(String uri) {
        qmp.execute("migrate-incoming", Map.of("uri", uri));
    }

    /** {@code migrate-incoming} from a file: {@code file:} on QEMU 8.2+, else {@code exec:cat 'file'}. */
    public void migrateIncomingFromFile(Path file) {
        migrateIncoming(MigrationUris.readFile(version(), file));
    }

    /** The TCP port an incoming {@code tcp:host:0} migration listens on (from {@code query-migrate}). */
    public int incomingPort() {
        JsonNode addresses = qmp.execute("query-migrate").path("socket-address");
        for (JsonNode a : addresses) {
            if (a.has("port")) {
                return Integer.parseInt(a.get("port").asText());
            }
        }
        throw new QemuException("QEMU reports no listening socket for the incoming migration");
    }

    /**
     * Waits until an incoming migration has been loaded (run state leaves {@code inmigrate}) or QEMU has exited
     * because the load failed.
     *
     * @throws QemuException when neither happens within the timeout
     */
    public IncomingResult waitForIncomingResult(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = POLL_MIN_MS;
        while (true) {
            if (!process.isAlive()) {
                return failedIncoming();
            }
            String status;
            try {
                status = queryStatus();
            } catch (QemuException e) {
                // QMP went away: QEMU is exiting after a failed load; give it the rest of the time to do so.
                if (waitForExitQuietly(deadline)) {
                    return failedIncoming();
                }
                throw new QemuException("QMP failed while waiting for the incoming migration and QEMU did not exit"
                        + " (" + e.getMessage() + ")" + describeErrors(), e);
            }
            if (!"inmigrate".equals(status)) {
                return IncomingResult.loaded(status, errorMessages());
            }
            if (System.nanoTime() >= deadline) {
                throw new QemuException("incoming migration still in progress after " + timeout.toMillis() + " ms"
                        + describeErrors());
            }
            sleep(pause);
            pause = Math.min(POLL_MAX_MS, pause * 2);
        }
    }

    private IncomingResult failedIncoming() {
        stderr.awaitEnd(KILL_WAIT.toMillis());
        return IncomingResult.failed(process.exitValue(), errorMessages());
    }

    /** Asks QEMU to quit and waits until it has exited (killing it if it does not within the timeout). */
    public int quit() {
        try {
            if (qmp != null && qmp.isOpen() && process.isAlive()) {
                qmp.execute("quit");
            }
        } catch (QemuException e) {
            // QEMU may close the socket before answering; the exit below is what counts.
        }
        return waitForExit(KILL_WAIT);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public OptionalInt exitValue() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /** Waits for QEMU to exit by itself; kills it and throws when it does not within the timeout. */
    public int waitForExit(Duration timeout) {
        if (!waitForExitQuietly(System.nanoTime() + timeout.toNanos())) {
            kill();
            throw new QemuException("QEMU (pid " + pid() + ") did not exit within " + timeout.toMillis()
                    + " ms and was killed");
        }
        stderr.awaitEnd(KILL_WAIT.toMillis());
        stdout.awaitEnd(KILL_WAIT.toMillis());
        return process.exitValue();
    }

    /** Kills QEMU and every process it started, without cleaning up (see {@link #close()}). */
    public void kill() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        waitForExitQuietly(System.nanoTime() + KILL_WAIT.toNanos());
    }

    /** The last lines QEMU printed on stderr, verbatim. */
    public List<String> stderrLines() {
        return stderr.snapshot();
    }

    public List<String> stdoutLines() {
        return stdout.snapshot();
    }

    /** stderr lines without the {@code qemu-system-aarch64: } prefix QEMU puts on its messages. */
    public List<String> errorMessages() {
        List<String> out = new ArrayList<>();
        for (String line : stderr.snapshot()) {
            out.add(stripProgramPrefix(line));
        }
        return out;
    }

    static String stripProgramPrefix(String line) {
        return PROGRAM_PREFIX.matcher(line).replaceFirst("");
    }

    /** Kills QEMU (and its helpers) if still running, closes QMP and deletes the private directory. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            QmpClient c = qmp;
            if (c != null) {
                c.close();
            }
            if (process.isAlive()) {
                kill();
            }
            stderr.awaitEnd(KILL_WAIT.toMillis());
            stdout.awaitEnd(KILL_WAIT.toMillis());
        } finally {
            dev.regshim.util.SafeFiles.deleteTree(workDir);
            LIVE.remove(this);
        }
    }

    private boolean waitForExitQuietly(long deadlineNanos) {
        try {
            return process.waitFor(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    private String describeErrors() {
        List<String> lines = stderr.snapshot();
        if (lines.isEmpty()) {
            return "";
        }
        int from = Math.max(0, lines.size() - 5);
        return "; QEMU said: " + String.join(" | ", lines.subList(from, lines.size()));
    }

    /** The time left until the deadline, but at least {@link #MIN_CALL_TIMEOUT} so that a last poll can answer. */
    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(deadline - System.nanoTime(), MIN_CALL_TIMEOUT.toNanos()));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QemuException("interrupted while waiting for QEMU", e);
        }
    }

    private static Path createPrivateDir() {
        Path base = Path.of(System.getProperty("java.io.tmpdir"));
        String b = base.toAbsolutePath().toString();
        if (b.length() > MAX_WORKDIR_PATH - 30 || b.indexOf(',') >= 0) {
            base = Path.of("/tmp"); // QEMU's -qmp option syntax and the unix socket path limit forbid such paths
        }
        try {
            return Files.createTempDirectory(base, "regshim-qemu-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new QemuException("cannot create a private directory for QEMU under " + base + ": "
                    + e.getMessage(), e);
        }
    }
}
