package dev.regshim.profile;

import dev.regshim.cpreg.Accel;
import dev.regshim.regs.CpregArray;

import java.util.List;
import java.util.Optional;

/**
 * What one side of a migration presents: per vCPU the cpreg list and, when known, the values; plus, when the
 * profile comes from a real stream or capture, the machine type, RAM blocks and device sections, so that a check can
 * predict the load exactly as QEMU does it, in stream order.
 *
 * @param asSent    true when the vCPU arrays are exactly what the source QEMU sends (stream, capture); false when
 *                  they are a host's raw cpreg list (kernel database, list file) to which a source applies hiding
 * @param template  true when the single vCPU entry stands for every vCPU (kernel and list profiles)
 * @param kvmRules  for a real kernel's capture: what its KVM_SET_ONE_REG accepts (learnt from its writable masks and
 *                  release); null when unknown
 */
public record Profile(Provenance provenance, String machineType, Integer pageSize, List<RamBlock> ramBlocks,
                      List<SectionRef> sections, List<Vcpu> vcpus, boolean asSent, boolean template,
                      dev.regshim.cpreg.KvmValueRule kvmRules) {

    public Profile {
        ramBlocks = ramBlocks == null ? null : List.copyOf(ramBlocks);
        sections = sections == null ? null : List.copyOf(sections);
        vcpus = List.copyOf(vcpus);
    }

    public Profile(Provenance provenance, String machineType, Integer pageSize, List<RamBlock> ramBlocks,
                   List<SectionRef> sections, List<Vcpu> vcpus, boolean asSent, boolean template) {
        this(provenance, machineType, pageSize, ramBlocks, sections, vcpus, asSent, template, null);
    }

    /** The rules the destination's KVM_SET_ONE_REG follows: learnt from its capture when known, else conservative. */
    public dev.regshim.cpreg.KvmValueRule kvmValueRule() {
        return kvmRules == null ? dev.regshim.cpreg.KvmValueRule.CONSERVATIVE : kvmRules;
    }

    /** A RAM block as the stream's MEM_SIZE list names it. */
    public record RamBlock(String name, long size) {
    }

    /**
     * A FULL device section: what the destination must know to accept it.
     *
     * @param mainFieldBytes the wire size of the section's main fields as its vmdesc describes them (subsections
     *                       left out, they are state-dependent), or null when unknown. Two sections of the same
     *                       device and version whose main fields differ in size (e.g. arrays sized by the vCPU
     *                       count) cannot be read into each other.
     */
    public record SectionRef(String idstr, int instance, int version, Long mainFieldBytes, int sectionId,
                             List<Subsection> subsections) {
        /** {@link #sectionId} when the profile does not record it (QEMU names it in some messages). */
        public static final int UNKNOWN_ID = -1;

        /** @param subsections the subsections the section carried, in order, or null when unknown */
        public SectionRef {
            subsections = subsections == null ? null : List.copyOf(subsections);
        }

        public SectionRef(String idstr, int instance, int version) {
            this(idstr, instance, version, null, UNKNOWN_ID, null);
        }
    }

    /**
     * A subsection a section carried: its VMState name ({@code cpu/wfxt-timer}), and the struct field whose elements
     * sent it when it is not the section's own (GICv3's per-vCPU {@code cpu} array sends
     * {@code arm_gicv3_cpu/sre_el1}), else null. A profile writes it as {@code NAME} or {@code FIELD:NAME}.
     */
    public record Subsection(String field, String name) {
        public static Subsection of(String name) {
            return new Subsection(null, name);
        }

        /** The profile's text form, {@code NAME} or {@code FIELD:NAME} (VMState names have no colon). */
        public static Subsection parse(String text) {
            int colon = text.indexOf(':');
            return colon < 0 ? of(text) : new Subsection(text.substring(0, colon), text.substring(colon + 1));
        }

        @Override
        public String toString() {
            return field == null ? name : field + ":" + name;
        }
    }

    /** One vCPU: the instance id of its {@code cpu} section and its cpreg array. */
    public record Vcpu(int instance, CpregArray cpregs) {
    }

    /** The vCPU with this instance id (or the template entry). */
    public Optional<Vcpu> vcpu(int instance) {
        if (template && !vcpus.isEmpty()) {
            return Optional.of(new Vcpu(instance, vcpus.get(0).cpregs()));
        }
        return vcpus.stream().filter(v -> v.instance() == instance).findFirst();
    }

    /**
     * The accelerator this side runs under: as its provenance records it, else as its registers show
     * ({@link Accel#inferredFrom}); empty when neither tells.
     */
    public Optional<Accel> accel() {
        return provenance.accel() != null ? Optional.of(Accel.parse(provenance.accel())) : inferredAccel(vcpus);
    }

    /** {@link #accel()}, or KVM (what production migrations run under) when nothing tells. */
    public Accel assumedAccel() {
        return accel().orElse(Accel.KVM);
    }

    /** The accelerator the vCPUs' register lists show, from the first vCPU that tells. */
    public static Optional<Accel> inferredAccel(List<Vcpu> vcpus) {
        for (Vcpu v : vcpus) {
            Optional<Accel> a = Accel.inferredFrom(v.cpregs().idSet());
            if (a.isPresent()) {
                return a;
            }
        }
        return Optional.empty();
    }

    public boolean hasDeviceModel() {
        return sections != null;
    }
}
