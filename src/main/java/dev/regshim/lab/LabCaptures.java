package dev.regshim.lab;

import dev.regshim.kernel.capture.CaptureJson;
import dev.regshim.kernel.capture.CaptureSpecs;
import dev.regshim.kernel.capture.KvmCapture;
import dev.regshim.util.JsonInput;
import dev.regshim.util.SafeFiles;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Kernel captures the lab reuses (the destination profile of a lab migration): one per kernel package and host,
 * kept in regshim's cache ({@code lab/captures/}), made by {@link KernelCapturer} the first time.
 */
final class LabCaptures {

    private LabCaptures() {
    }

    /** The capture of {@code kernel} on {@code host}, from the cache or made now. */
    static Path capture(KernelFiles kernel, String kernelArg, LabHost host, Consumer<String> progress) {
        String key = (kernel.packageName() == null ? kernel.image().toString() : kernel.packageName() + "_"
                + kernel.packageVersion()) + "|" + host.label();
        Path file = LabResources.cacheDir().resolve("lab").resolve("captures")
                .resolve(LabResources.hash(key.getBytes(StandardCharsets.UTF_8)) + ".json");
        if (Files.isRegularFile(file)) {
            try {
                CaptureJson.read(JsonInput.read(file, CaptureJson.MAX_FILE_BYTES));
                return file;
            } catch (RuntimeException e) {
                progress.accept("cached capture " + file + " is unreadable; capturing again");
            }
        }
        KvmCapture c = new KernelCapturer(progress).capture(new KernelCapturer.Request(kernelArg, host,
                KernelCapturer.DEFAULT_TIMEOUT, true));
        try {
            Files.createDirectories(file.getParent());
        } catch (java.io.IOException e) {
            throw new LabException("cannot create " + file.getParent() + ": " + SafeFiles.reason(e));
        }
        SafeFiles.write(file, CaptureJson.write(c, s -> CaptureSpecs.specText(c, s)).getBytes(StandardCharsets.UTF_8));
        return file;
    }

    static Duration timeout() {
        return KernelCapturer.DEFAULT_TIMEOUT;
    }
}
