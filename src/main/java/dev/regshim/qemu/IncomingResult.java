package dev.regshim.qemu;

import java.util.List;
import java.util.OptionalInt;

/**
 * How an incoming migration ended on the destination QEMU.
 *
 * <p>Loaded: the destination left run state {@code inmigrate}; {@link #runState()} is the state it took from the
 * stream ({@code prelaunch}/{@code paused}) or {@code running}. Failed: QEMU exited by itself (status 1 for a
 * load error) and {@link #errorLines()} holds what it printed, with the {@code qemu-system-aarch64: } prefix
 * removed, e.g. {@code error while loading state for instance 0x0 of device 'cpu'}.
 *
 * @param runState the destination's run state when loaded, else ""
 * @param exitCode the exit status when QEMU exited, else empty
 * @param errorLines QEMU's stderr lines without the program-name prefix (may be non-empty for a loaded stream)
 */
public record IncomingResult(boolean loaded, String runState, OptionalInt exitCode, List<String> errorLines) {

    public IncomingResult {
        errorLines = List.copyOf(errorLines);
    }

    static IncomingResult loaded(String runState, List<String> errorLines) {
        return new IncomingResult(true, runState, OptionalInt.empty(), errorLines);
    }

    static IncomingResult failed(int exitCode, List<String> errorLines) {
        return new IncomingResult(false, "", OptionalInt.of(exitCode), errorLines);
    }

    /** One line for reports: "loaded (prelaunch)" or "failed (exit 1): line | line". */
    public String summary() {
        if (loaded) {
            return "loaded (" + runState + ")";
        }
        return "failed (exit " + exitCode.orElse(-1) + "): " + String.join(" | ", errorLines);
    }
}
