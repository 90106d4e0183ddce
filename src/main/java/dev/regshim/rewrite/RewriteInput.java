package dev.regshim.rewrite;

import dev.regshim.RegshimException;
import dev.regshim.stream.DeviceSection;
import dev.regshim.stream.ReadOptions;
import dev.regshim.stream.StreamEnds;
import dev.regshim.stream.StreamSummary;
import dev.regshim.stream.VmCommand;
import dev.regshim.stream.Vmdesc;
import dev.regshim.stream.container.SaveImage;
import dev.regshim.stream.container.StreamFiles;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the rewriter's first read of the input established: the stream summary the plan is made from, the device
 * state (every section from the first device section on, kept whole so the output can be compared with it), and where
 * that state starts. Everything before {@link #deviceStart()} (header, configuration, RAM) is never changed by a
 * rewrite.
 *
 * <p>A bare stream file is read at both ends only ({@link StreamEnds}: its head and its device state, located from the
 * vmdesc trailer), so RAM is not read for planning; a container, a stream without a trailer, or one whose layout the
 * ends do not confirm is read in full.
 *
 * @param endsOnly  true when only the two ends were read (then the summary counts no RAM pages)
 * @param deviceCommands commands at or after {@code deviceStart} (none in QEMU 7.2 to 10.x streams)
 */
record RewriteInput(Path file, Optional<SaveImage> container, StreamSummary summary, List<DeviceSection> devices,
                    List<VmCommand> deviceCommands, long deviceStart, boolean endsOnly) {

    RewriteInput {
        devices = List.copyOf(devices);
        deviceCommands = List.copyOf(deviceCommands);
    }

    static RewriteInput read(Path in, ReadOptions options) {
        try {
            Optional<SaveImage> container = StreamFiles.container(in);
            if (container.isEmpty() && !options.ignoreVmdesc()) {
                try (FileChannel ch = FileChannel.open(in, StandardOpenOption.READ)) {
                    Optional<StreamEnds.Ends> ends = StreamEnds.read(ch, options.limits());
                    if (ends.isPresent()) {
                        StreamEnds.Ends e = ends.get();
                        return new RewriteInput(in, container, e.summary(), e.devices(), List.of(), e.deviceStart(),
                                true);
                    }
                }
            }
            Collecting c = new Collecting();
            StreamFiles.read(in, c, options);
            return c.input(in, container);
        } catch (dev.regshim.stream.StreamFormatException e) {
            throw e.inFile(in);
        } catch (IOException e) {
            throw new RegshimException("cannot read " + in + ": " + dev.regshim.util.SafeFiles.reason(e), e);
        }
    }

    /** The output's ends as read by {@link StreamEnds#readWithDeviceStart} (no RAM read). */
    static RewriteInput ofEnds(Path file, StreamEnds.Ends e) {
        return new RewriteInput(file, Optional.empty(), e.summary(), e.devices(), List.of(), e.deviceStart(), true);
    }

    /** Where the head (header, configuration, RAM START section) ends; 0 when no section was read. */
    long headEnd() {
        return summary.sections().isEmpty() ? 0 : summary.sections().get(0).end();
    }

    Vmdesc vmdesc() {
        return summary.vmdesc();
    }

    /** A summary collector that also keeps every device section and the commands among them. */
    static final class Collecting extends StreamSummary.Collector {
        private final List<DeviceSection> devices = new ArrayList<>();
        private final List<VmCommand> commands = new ArrayList<>();
        private long lastFooterEnd = -1;

        RewriteInput input(Path file, Optional<SaveImage> container) {
            StreamSummary s = summary();
            long start = devices.isEmpty() ? s.eofOffset() : devices.get(0).offset();
            List<VmCommand> after = commands.stream().filter(c -> c.offset() >= start).toList();
            return new RewriteInput(file, container, s, devices, after, start, false);
        }

        /** Where the last section footer seen ends (-1 before any). */
        long lastFooterEnd() {
            return lastFooterEnd;
        }

        @Override
        public void sectionFooter(dev.regshim.stream.SectionHeader h, long offset) {
            lastFooterEnd = offset + dev.regshim.stream.WireFormat.FOOTER_BYTES;
            super.sectionFooter(h, offset);
        }

        /** The device state, EOF and trailer read from a file's end, as a decoder would report them next. */
        void deviceState(StreamEnds.Ends ends) {
            ends.devices().forEach(this::deviceSection);
            eof(ends.eofOffset());
            vmdesc(ends.vmdesc());
            end(ends.totalBytes());
        }

        @Override
        public void deviceSection(DeviceSection s) {
            devices.add(s);
            super.deviceSection(s);
        }

        @Override
        public void command(VmCommand c) {
            commands.add(c);
            super.command(c);
        }
    }
}
