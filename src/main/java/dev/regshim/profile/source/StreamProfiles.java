package dev.regshim.profile.source;

import dev.regshim.profile.Profile;
import dev.regshim.profile.Provenance;
import dev.regshim.regs.CpregArray;
import dev.regshim.stream.CpuSection;
import dev.regshim.stream.StreamSummary;
import dev.regshim.stream.Vmsd;
import dev.regshim.stream.WireFormat;

import java.util.ArrayList;
import java.util.List;

/** The profile a real migration stream presents: exactly what its source QEMU sent. */
public final class StreamProfiles {

    private StreamProfiles() {
    }

    public static Profile fromSummary(StreamSummary s, String source, String kind) {
        List<Profile.RamBlock> ram = new ArrayList<>();
        s.ramBlocks().forEach(b -> ram.add(new Profile.RamBlock(b.block().name(), b.block().usedLength())));
        List<Profile.SectionRef> sections = new ArrayList<>();
        java.util.Map<String, Long> layouts = layouts(s);
        java.util.Map<String, List<Profile.Subsection>> deviceSubsections = deviceSubsections(s);
        java.util.Map<Integer, List<Profile.Subsection>> cpuSubsections = new java.util.HashMap<>();
        s.cpus().forEach(c -> cpuSubsections.put(c.instanceId(),
                c.subsectionNames().stream().map(Profile.Subsection::of).toList()));
        for (StreamSummary.SectionInfo si : s.sections()) {
            if (si.type() == WireFormat.SECTION_FULL || si.type() == WireFormat.SECTION_START) {
                String key = si.idstr() + "#" + si.instanceId();
                sections.add(new Profile.SectionRef(si.idstr(), si.instanceId(), si.versionId(),
                        layouts.get(key), si.sectionId(),
                        "cpu".equals(si.idstr()) ? cpuSubsections.get(si.instanceId()) : deviceSubsections.get(key)));
            }
        }
        List<Profile.Vcpu> vcpus = new ArrayList<>();
        for (CpuSection c : s.cpus()) {
            vcpus.add(new Profile.Vcpu(c.instanceId(), c.cpregs()));
        }
        if (vcpus.isEmpty()) {
            throw new dev.regshim.RegshimException(source + ": the stream has no ARM 'cpu' section");
        }
        String machine = s.machineType().orElse(null);
        String accel = accelHint(vcpus);
        Provenance p = Provenance.of(kind, source).withQemu(StreamReleaseEvidence.of(s, "tcg".equals(accel)).recorded(),
                machine, null, accel);
        return new Profile(p, machine, s.pageSize(), ram, sections, vcpus, true, false);
    }

    /**
     * Per device (idstr#instance) the bytes its main fields take on the wire, from the vmdesc (subsections left out:
     * they are state-dependent); empty without a vmdesc. Field names and types change between QEMU versions at the
     * same wire size (e.g. pl011's {@code readbuff} became {@code unused}), so only the size counts.
     */
    static java.util.Map<String, Long> layouts(StreamSummary s) {
        java.util.Map<String, Long> out = new java.util.HashMap<>();
        if (s.vmdesc() == null) {
            return out;
        }
        for (int k = 0; k < s.vmdesc().deviceCount(); k++) {
            Vmsd d = s.vmdesc().device(k);
            out.put(d.name() + "#" + d.instanceId(), d.mainFieldBytes());
        }
        return out;
    }

    /** Per device (idstr#instance) the subsections its vmdesc entry says were sent; empty without a vmdesc. */
    static java.util.Map<String, List<Profile.Subsection>> deviceSubsections(StreamSummary s) {
        java.util.Map<String, List<Profile.Subsection>> out = new java.util.HashMap<>();
        if (s.vmdesc() == null) {
            return out;
        }
        for (int k = 0; k < s.vmdesc().deviceCount(); k++) {
            Vmsd d = s.vmdesc().device(k);
            out.put(d.name() + "#" + d.instanceId(), d.sentSubsections().stream()
                    .map(x -> new Profile.Subsection(x.field(), x.name())).toList());
        }
        return out;
    }

    /** The accelerator the stream's vCPUs show (see {@link Profile#inferredAccel}), as a profile records it. */
    static String accelHint(List<Profile.Vcpu> vcpus) {
        return Profile.inferredAccel(vcpus).map(dev.regshim.cpreg.Accel::label).orElse(null);
    }
}
