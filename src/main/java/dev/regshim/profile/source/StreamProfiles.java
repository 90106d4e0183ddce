package dev.regshim.profile.source;

import dev.regshim.profile.Profile;
import dev.regshim.profile.Provenance;
import dev.regshim.regs.CpregArray;
import dev.regshim.release.QemuVersion;
import dev.regshim.stream.CpuSection;
import dev.regshim.stream.StreamSummary;
import dev.regshim.stream.VmCommand;
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
        java.util.Map<Integer, List<String>> cpuSubsections = new java.util.HashMap<>();
        s.cpus().forEach(c -> cpuSubsections.put(c.instanceId(), c.subsectionNames()));
        for (StreamSummary.SectionInfo si : s.sections()) {
            if (si.type() == WireFormat.SECTION_FULL || si.type() == WireFormat.SECTION_START) {
                sections.add(new Profile.SectionRef(si.idstr(), si.instanceId(), si.versionId(),
                        layouts.get(si.idstr() + "#" + si.instanceId()), si.sectionId(),
                        "cpu".equals(si.idstr()) ? cpuSubsections.get(si.instanceId()) : null));
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
        Provenance p = Provenance.of(kind, source).withQemu(qemuHint(s), machine, null, accelHint(vcpus));
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

    /**
     * What the stream itself tells about its producer, as a lower bound: a versioned machine type {@code virt-X.Y}
     * exists from QEMU X.Y on ({@code -M virt} saves as the newest), SWITCHOVER_START from 10.0, a vmdesc
     * configuration entry from 9.0.
     */
    static String qemuHint(StreamSummary s) {
        List<QemuVersion> bounds = new ArrayList<>();
        java.util.regex.Matcher m = MACHINE_VERSION.matcher(s.machineType().orElse(""));
        if (m.matches()) {
            QemuVersion.ofRecorded(m.group(1)).ifPresent(bounds::add);
        }
        if (s.commands().stream().anyMatch(c -> c.cmd() == VmCommand.SWITCHOVER_START)) {
            bounds.add(SWITCHOVER_START_SINCE);
        }
        if (s.vmdesc() != null && s.vmdesc().hasConfiguration()) {
            bounds.add(VMDESC_CONFIGURATION_SINCE);
        }
        return bounds.stream().max(QemuVersion::compareTo).map(QemuVersion::asLowerBound).orElse(null);
    }

    private static final java.util.regex.Pattern MACHINE_VERSION = java.util.regex.Pattern.compile("[a-z]+-(\\d+\\.\\d+)");
    private static final QemuVersion SWITCHOVER_START_SINCE = new QemuVersion(10, 0, 0, "10.0");
    private static final QemuVersion VMDESC_CONFIGURATION_SINCE = new QemuVersion(9, 0, 0, "9.0");

    /** The accelerator the stream's vCPUs show (see {@link Profile#inferredAccel}), as a profile records it. */
    static String accelHint(List<Profile.Vcpu> vcpus) {
        return Profile.inferredAccel(vcpus).map(dev.regshim.cpreg.Accel::label).orElse(null);
    }
}
