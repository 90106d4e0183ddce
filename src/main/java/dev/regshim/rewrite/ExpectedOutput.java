package dev.regshim.rewrite;

import dev.regshim.policy.RewritePlan;
import dev.regshim.stream.CpregEdits;
import dev.regshim.stream.DeviceSection;
import dev.regshim.stream.StreamLimits;
import dev.regshim.stream.StreamWriter;
import dev.regshim.stream.VmCommand;
import dev.regshim.stream.Vmdesc;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The device state a rewrite must produce, derived from the input's and the plan alone: the same sections in the same
 * order with only the planned cpreg arrays replaced, the same commands, and the input's vmdesc with the
 * {@code array_len}s of the changed arrays updated ({@link CpregEdits}, as the stream writer applies them). Everything
 * before {@link #deviceStart()} is the input's, unchanged. Both writers produce exactly this and the verifier compares
 * the re-read output with it.
 */
record ExpectedOutput(long deviceStart, List<DeviceSection> devices, List<VmCommand> commands, Vmdesc vmdesc) {

    static ExpectedOutput of(RewriteInput in, RewritePlan plan, StreamLimits limits) {
        CpregEdits edits = new CpregEdits(cpu -> plan.replacement(cpu.instanceId()), limits);
        List<DeviceSection> out = new ArrayList<>();
        in.devices().forEach(d -> out.add(edits.apply(d)));
        Vmdesc v = in.vmdesc() == null ? null : edits.apply(in.vmdesc());
        return new ExpectedOutput(in.deviceStart(), out, in.deviceCommands(), v);
    }

    /** The bytes from {@link #deviceStart()} to the end: device sections, EOF, vmdesc (no commands among them). */
    byte[] encodeTail() {
        if (!commands.isEmpty()) {
            throw new IllegalStateException("the device state has commands: it is rewritten as a stream");
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        StreamWriter w = new StreamWriter(b);
        devices.forEach(w::deviceSection);
        w.eof(-1);
        if (vmdesc != null) {
            w.vmdesc(vmdesc);
        }
        w.flush();
        return b.toByteArray();
    }

    /** Length of the device sections (up to the EOF byte). */
    long deviceBytes() {
        long n = 0;
        for (DeviceSection d : devices) {
            n += d.length();
        }
        for (VmCommand c : commands) {
            n += c.encodedLength();
        }
        return n;
    }
}
