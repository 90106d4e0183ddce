package dev.regshim.profile;

import dev.regshim.cpreg.CpregArray;
import dev.regshim.regs.RegClass;
import dev.regshim.regs.RegId;
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
        java.util.Map<String, String> layouts = layouts(s);
        java.util.Map<String, List<String>> deviceSubsections = deviceSubsections(s);
        java.util.Map<Integer, List<String>> cpuSubsections = new java.util.HashMap<>();
        s.cpus().forEach(c -> cpuSubsections.put(c.instanceId(), c.subsectionNames()));
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
            vcpus.add(new Profile.Vcpu(c.instanceId(), CpregArray.of(c.ids(), c.values())));
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
    static java.util.Map<String, String> layouts(StreamSummary s) {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        if (s.vmdesc() == null) {
            return out;
        }
        for (int k = 0; k < s.vmdesc().deviceCount(); k++) {
            Vmsd d = s.vmdesc().device(k);
            out.put(d.name() + "#" + d.instanceId(), "main fields " + d.mainFieldBytes() + " bytes");
        }
        return out;
    }

    /** Per device (idstr#instance) the subsections its vmdesc entry says were sent; empty without a vmdesc. */
    static java.util.Map<String, List<String>> deviceSubsections(StreamSummary s) {
        java.util.Map<String, List<String>> out = new java.util.HashMap<>();
        if (s.vmdesc() == null) {
            return out;
        }
        for (int k = 0; k < s.vmdesc().deviceCount(); k++) {
            Vmsd d = s.vmdesc().device(k);
            out.put(d.name() + "#" + d.instanceId(), d.sentSubsections());
        }
        return out;
    }

    /** KVM lists carry firmware pseudo-registers; TCG lists carry AArch32 views. */
    static String accelHint(List<Profile.Vcpu> vcpus) {
        for (Profile.Vcpu v : vcpus) {
            for (RegId id : v.cpregs().idSet()) {
                RegClass c = id.regClass();
                if (c == RegClass.FW || c == RegClass.FW_FEAT_BMAP || c == RegClass.DEMUX_CCSIDR) {
                    return "kvm";
                }
                if (c == RegClass.AARCH32_CP32 || c == RegClass.AARCH32_CP64) {
                    return "tcg";
                }
            }
        }
        return null;
    }
}
