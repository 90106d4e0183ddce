package dev.regshim.profile.source;

import dev.regshim.cpreg.QemuRelease;
import dev.regshim.cpreg.ReleaseRange;
import dev.regshim.regs.WellKnownRegs;
import dev.regshim.regs.fields.IdField;
import dev.regshim.regs.fields.IdRegisterFields;
import dev.regshim.stream.CpuSection;
import dev.regshim.stream.StreamSummary;
import dev.regshim.stream.VmCommand;


/**
 * What a saved stream proves about the QEMU release that wrote it, as a {@link ReleaseRange}:
 * <ul>
 *   <li>a versioned machine type {@code virt-X.Y} exists from X.Y on;</li>
 *   <li>SWITCHOVER_START is sent from 10.0; a vmdesc with a configuration entry from 9.0 (without one: before 9.0);</li>
 *   <li>the cpu entry's {@code cpreg_vmstate_array_len} is {@code "int32 le"} up to 11.0 and {@code "int32"} from 11.1;</li>
 *   <li>each cpu subsection exists from its first release on ({@link QemuRelease#knowsSubsection});</li>
 *   <li>under TCG, cpu/wfxt-timer is sent by 10.0 only for CPUs with FEAT_WFxT and by 11.1 for every CPU: present on a
 *       CPU without the feature it proves a release after 10.0, absent it proves one before 11.1 (and absent on a CPU
 *       with the feature, one before 10.0).</li>
 * </ul>
 */
final class StreamReleaseEvidence {

    private static final QemuRelease SWITCHOVER_START_SINCE = QemuRelease.V10_0;
    private static final QemuRelease VMDESC_CONFIGURATION_SINCE = new QemuRelease(9, 0);
    private static final QemuRelease BEFORE_CONFIGURATION = new QemuRelease(8, 2);
    private static final QemuRelease AFTER_10_0 = new QemuRelease(10, 1);
    private static final QemuRelease BEFORE_11_1 = new QemuRelease(11, 0);
    private static final QemuRelease BEFORE_10_0 = new QemuRelease(9, 2);

    private StreamReleaseEvidence() {
    }

    static ReleaseRange of(StreamSummary s, boolean tcg) {
        ReleaseRange r = new ReleaseRange(null, null, false);
        var machine = QemuRelease.machineVersion(s.machineType().orElse(null));
        if (machine.isPresent()) {
            r = r.atLeast(machine.get());
        }
        if (s.commands().stream().anyMatch(c -> c.cmd() == VmCommand.SWITCHOVER_START)) {
            r = r.atLeast(SWITCHOVER_START_SINCE);
        }
        if (s.vmdesc() != null) {
            r = s.vmdesc().hasConfiguration() ? r.atLeast(VMDESC_CONFIGURATION_SINCE) : r.atMost(BEFORE_CONFIGURATION);
            var checked = s.vmdesc().cpregLengthChecked();
            if (checked.isPresent()) {
                r = checked.get() ? r.atMost(BEFORE_11_1) : r.atLeast(QemuRelease.V11_1);
            }
        }
        for (CpuSection c : s.cpus()) {
            for (String sub : c.subsectionNames()) {
                r = r.atLeast(QemuRelease.earliestSender(sub));
            }
            if (tcg) {
                r = wfxt(r, c);
            }
        }
        return r;
    }

    private static ReleaseRange wfxt(ReleaseRange r, CpuSection c) {
        java.util.Optional<Long> isar2 = c.valueOf(WellKnownRegs.ID_AA64ISAR2_EL1.value());
        if (isar2.isEmpty()) {
            return r;
        }
        boolean feature = WFXT.value(isar2.get()) != 0;
        boolean sent = c.subsectionNames().contains(QemuRelease.WFXT_TIMER);
        if (sent && !feature) {
            return r.atLeast(AFTER_10_0);
        }
        if (!sent) {
            return feature ? r.atMost(BEFORE_10_0) : r.atMost(BEFORE_11_1);
        }
        return r;
    }

    /** ID_AA64ISAR2_EL1.WFxT, from the bundled sysreg tables. */
    private static final IdField WFXT = IdRegisterFields.field("ID_AA64ISAR2_EL1", "WFxT").orElseThrow();
}
