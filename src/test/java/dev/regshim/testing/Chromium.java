package dev.regshim.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Headless Chromium for the HTML report tests: Debian's {@code chromium} ({@code /usr/bin/chromium}, or
 * {@code REGSHIM_CHROMIUM}). Skipped on a developer machine without it, a failure when {@code CI=true} (.ci/run
 * installs it).
 */
public final class Chromium {

    public static final String ENV = "REGSHIM_CHROMIUM";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private final Path binary;

    private Chromium(Path binary) {
        this.binary = binary;
    }

    public static Chromium require() {
        String env = System.getenv(ENV);
        Optional<Path> p = env != null ? Processes.which(env) : Processes.which("chromium").or(() -> Processes.which("/usr/bin/chromium"));
        if (p.isEmpty()) {
            if (QemuTestSupport.isCi()) {
                Assertions.fail("CI=true but the test needs chromium (apt-get install chromium, or set " + ENV + ")");
            }
            Assumptions.abort("skipped: needs chromium (apt-get install chromium, or set " + ENV + ")");
        }
        return new Chromium(p.get());
    }

    private List<String> base(Path profileDir) {
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profileDir));
        return cmd;
    }

    /** The DOM after the page's scripts ran. */
    public String dumpDom(String url, Path workDir) {
        List<String> cmd = base(profile(workDir));
        cmd.add("--dump-dom");
        cmd.add(url);
        Processes.Result r = Processes.run(cmd, TIMEOUT);
        Assertions.assertEquals(0, r.exit(), () -> "chromium --dump-dom failed: " + r.err());
        return r.out();
    }

    public Path screenshot(String url, Path png, int width, int height, Path workDir) {
        List<String> cmd = base(profile(workDir));
        cmd.add("--screenshot=" + png);
        cmd.add("--window-size=" + width + "," + height);
        cmd.add("--hide-scrollbars");
        cmd.add(url);
        Processes.Result r = Processes.run(cmd, TIMEOUT);
        Assertions.assertEquals(0, r.exit(), () -> "chromium --screenshot failed: " + r.err());
        return png;
    }

    private static Path profile(Path workDir) {
        try {
            return Files.createTempDirectory(workDir, "chromium-profile-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
