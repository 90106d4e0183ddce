package dev.regshim.proxy;

import dev.regshim.RegshimException;
import dev.regshim.policy.VcpuRewrite;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;
import dev.regshim.stream.Configuration;
import dev.regshim.stream.CpuSection;
import dev.regshim.stream.DeviceSection;
import dev.regshim.stream.RamBlock;
import dev.regshim.stream.RamBlockList;
import dev.regshim.stream.RamRecord;
import dev.regshim.stream.SectionHeader;
import dev.regshim.stream.StreamDecoder;
import dev.regshim.stream.StreamLimits;
import dev.regshim.stream.StreamVisitor;
import dev.regshim.stream.VmCommand;
import dev.regshim.stream.Vmdesc;
import dev.regshim.stream.WireFormat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Re-reads every byte bound for the destination with an independent decoder, before it is sent, and checks it:
 * <ul>
 *   <li>each {@code cpu} section carries exactly the arrays the plan decided, and swapping the source's arrays back
 *       gives the source's section byte for byte (nothing else changed);</li>
 *   <li>every vCPU that was planned arrives, and the trailer (when present) re-parses with the new array lengths;</li>
 *   <li>the source uses nothing the proxy cannot carry: postcopy ({@code POSTCOPY_ADVISE}, {@code PACKAGED}) and COLO
 *       are refused before the command reaches the destination.</li>
 * </ul>
 * It also tells the output where to start holding bytes back ({@link #holdFrom}, just after the RAM END section):
 * the device state, EOF and trailer are released only once {@link #complete()} says they were verified.
 */
final class OutputAudit implements StreamVisitor {

    private final LiveRewrite rewrite;
    private final StreamLimits limits;
    private final StreamDecoder decoder;
    private final List<String> checks = new ArrayList<>();

    private volatile boolean returnPathRequested;
    private volatile String machineType;
    private volatile long ramBytes;
    private volatile long dataPages;
    private volatile long zeroPages;
    private int ramSectionId = -1;
    private long holdFrom = Long.MAX_VALUE;
    private int cpusVerified;
    private int sections;
    private boolean complete;

    OutputAudit(LiveRewrite rewrite, StreamLimits limits) {
        this.rewrite = rewrite;
        this.limits = limits;
        this.decoder = StreamDecoder.builder(this).limits(limits).build();
    }

    /** Feeds output bytes; throws when they are not what the plan and the stream's own rules allow. */
    void feed(byte[] b, int off, int len) {
        try {
            decoder.feed(b, off, len);
        } catch (RegshimException e) {
            throw asFailure(e);
        }
    }

    void feed(ByteBuffer data) {
        try {
            decoder.feed(data);
        } catch (RegshimException e) {
            throw asFailure(e);
        }
    }

    /** End of output. */
    void finish() {
        try {
            decoder.finish();
        } catch (RegshimException e) {
            throw asFailure(e);
        }
    }

    private static RegshimException asFailure(RegshimException e) {
        if (e instanceof ProxyException) {
            return e;
        }
        if (e instanceof dev.regshim.policy.RewriteRefusedException) {
            return e;
        }
        return new ProxyException(Fault.REFUSED, "verification of the stream for the destination failed, nothing "
                + "more is sent: " + e.getMessage(), e);
    }

    @Override
    public boolean wantsPageData() {
        return false;
    }

    @Override
    public void configuration(Configuration c) {
        machineType = c.machineType();
    }

    @Override
    public void sectionStart(SectionHeader h) {
        sections++;
        if (h.type() == WireFormat.SECTION_START && WireFormat.RAM_IDSTR.equals(h.idstr())) {
            ramSectionId = h.sectionId();
        }
    }

    @Override
    public void ramBlockList(RamBlockList blocks) {
        long total = 0;
        for (RamBlock b : blocks.blocks()) {
            total += b.usedLength();
        }
        ramBytes = total;
    }

    @Override
    public void ramRecord(RamRecord r) {
        if (r.isPage()) {
            dataPages++;
        } else if (r.isZero()) {
            zeroPages++;
        }
    }

    @Override
    public void sectionFooter(SectionHeader section, long offset) {
        if (section.type() == WireFormat.SECTION_END && section.sectionId() == ramSectionId) {
            holdFrom = offset + WireFormat.FOOTER_BYTES;
        }
    }

    @Override
    public void command(VmCommand c) {
        switch (c.cmd()) {
            case VmCommand.OPEN_RETURN_PATH:
                returnPathRequested = true;
                break;
            case VmCommand.POSTCOPY_ADVISE:
            case VmCommand.POSTCOPY_LISTEN:
            case VmCommand.POSTCOPY_RUN:
            case VmCommand.POSTCOPY_RAM_DISCARD:
            case VmCommand.PACKAGED:
            case VmCommand.POSTCOPY_RESUME:
            case VmCommand.RECV_BITMAP:
                throw new ProxyException(Fault.REFUSED, "the source started a postcopy migration (" + c.name()
                        + " at offset " + c.offset() + "): its cpu state would travel inside a PACKAGED blob the proxy "
                        + "cannot rewrite; turn the postcopy-ram capability off");
            case VmCommand.ENABLE_COLO:
                throw new ProxyException(Fault.REFUSED, "the source enabled COLO (offset " + c.offset()
                        + "), which the proxy does not carry");
            default:
                break;
        }
    }

    @Override
    public void deviceSection(DeviceSection s) {
        sections++;
        CpuSection out = s.cpu();
        if (out == null) {
            return;
        }
        int i = out.instanceId();
        VcpuRewrite planned = rewrite.plan().vcpu(i);
        CpuSection in = rewrite.input(i);
        if (planned == null || in == null) {
            throw new ProxyException(Fault.REFUSED, "verification failed: cpu " + i + " is in the output but was never "
                    + "planned; nothing more is sent");
        }
        if (!Arrays.equals(out.ids(), planned.after().ids()) || !Arrays.equals(out.values(), planned.after().values())) {
            throw new ProxyException(Fault.REFUSED, "verification failed: cpu " + i + ": the arrays in the output differ"
                    + " from the plan" + firstDifference(out, planned) + "; nothing more is sent");
        }
        byte[] restored = out.withCpregs(in.ids(), in.values(), limits).encodeBody();
        if (!Arrays.equals(restored, in.encodeBody()) || !sameHeader(out.header(), in.header())) {
            throw new ProxyException(Fault.REFUSED, "verification failed: cpu " + i + ": bytes outside the cpreg arrays "
                    + "differ from the source's section; nothing more is sent");
        }
        cpusVerified++;
    }

    private static boolean sameHeader(SectionHeader a, SectionHeader b) {
        return a.type() == b.type() && a.sectionId() == b.sectionId() && a.instanceId() == b.instanceId()
                && a.versionId() == b.versionId() && a.idstr().equals(b.idstr());
    }

    private static String firstDifference(CpuSection out, VcpuRewrite planned) {
        long[] a = out.ids();
        long[] b = planned.after().ids();
        for (int k = 0; k < Math.min(a.length, b.length); k++) {
            if (a[k] != b[k]) {
                return " at index " + k + " (" + RegCatalog.get().name(RegId.of(a[k])) + " vs "
                        + RegCatalog.get().name(RegId.of(b[k])) + ")";
            }
        }
        return a.length != b.length ? " (" + a.length + " vs " + b.length + " registers)" : " (values)";
    }

    @Override
    public void vmdesc(Vmdesc v) {
        completeIfAllVerified("the trailer re-parses with the new cpreg array lengths");
    }

    @Override
    public void end(long totalBytes) {
        if (!complete) {
            completeIfAllVerified("the stream ends after EOF without a trailer");
        }
    }

    private void completeIfAllVerified(String trailer) {
        if (cpusVerified != rewrite.vcpusPassed()) {
            throw new ProxyException(Fault.REFUSED, "verification failed: " + rewrite.vcpusPassed() + " vCPUs were "
                    + "planned but " + cpusVerified + " cpu sections reached the output; nothing more is sent");
        }
        checks.add("re-read the outgoing stream before sending its device state: " + sections + " sections, "
                + dataPages + " data and " + zeroPages + " zero pages");
        checks.add(cpusVerified + " cpu section" + (cpusVerified == 1 ? "" : "s")
                + ": arrays exactly as planned, every other byte as the source sent it");
        checks.add(trailer);
        complete = true;
    }

    /** Output offset from which bytes are held until verified (after the RAM END section), MAX_VALUE until known. */
    long holdFrom() {
        return holdFrom;
    }

    /** True once everything up to the trailer has been verified. */
    boolean complete() {
        return complete;
    }

    boolean returnPathRequested() {
        return returnPathRequested;
    }

    String machineType() {
        return machineType;
    }

    long ramBytes() {
        return ramBytes;
    }

    long dataPages() {
        return dataPages;
    }

    long zeroPages() {
        return zeroPages;
    }

    List<String> checks() {
        return List.copyOf(checks);
    }
}
