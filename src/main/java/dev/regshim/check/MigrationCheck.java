package dev.regshim.check;

import dev.regshim.cpreg.DestinationRelease;
import dev.regshim.cpreg.CpuLoadModel;
import dev.regshim.cpreg.CpuLoadOutcome;
import dev.regshim.cpreg.FailureKind;
import dev.regshim.cpreg.KvmValueRule;
import dev.regshim.cpreg.LoadSettings;
import dev.regshim.cpreg.QemuMessages;
import dev.regshim.cpreg.QemuRelease;
import dev.regshim.cpreg.RegIssue;
import dev.regshim.cpreg.Semantics;
import dev.regshim.cpreg.Tolerance;
import dev.regshim.cpreg.ValueConflict;
import dev.regshim.profile.Profile;
import dev.regshim.regs.CpregArray;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Predicts a destination QEMU's load of a source's state, in QEMU's order: the machine type (configuration
 * section), the RAM block list, then every device section in stream order, running the cpreg model for each
 * {@code cpu} section. QEMU stops at the first failure; the check carries on so that every offending register of
 * every vCPU is named, then proposes fixes.
 */
public final class MigrationCheck {

    private MigrationCheck() {
    }

    public static CheckResult run(Profile src, Profile dst, LoadSettings settings, KvmValueRule kvmRule) {
        return new Runner(src, dst, settings, kvmRule).run();
    }

    private static final class Runner {
        final Profile src;
        final Profile dst;
        final LoadSettings s;
        final KvmValueRule kvmRule;
        final List<String> lines = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        final Map<Integer, VcpuCheck> vcpus = new TreeMap<>();
        final QemuMessages.Dialect dialect;
        /** The destination's release: as the settings say, else what the destination profile records or proves. */
        final QemuRelease release;
        Stage stage = Stage.NONE;
        boolean aborted;
        String unknownSubsection;

        Runner(Profile src, Profile dst, LoadSettings s, KvmValueRule kvmRule) {
            this.src = src;
            this.dst = dst;
            this.s = s;
            this.kvmRule = kvmRule;
            this.dialect = QemuMessages.Dialect.of(s.semantics());
            this.release = s.release() != null ? s.release()
                    : DestinationRelease.resolve(null, dst.provenance().qemuVersion()).release();
        }

        boolean failed() {
            return stage != Stage.NONE;
        }

        void fail(Stage st, List<String> qemuLines) {
            if (!failed()) {
                stage = st;
                lines.addAll(qemuLines);
            }
        }

        CheckResult run() {
            startUp();
            checkMachine();
            checkRam();
            if (src.hasDeviceModel() && dst.hasDeviceModel()) {
                walkSections();
            } else {
                for (Profile.Vcpu v : src.vcpus()) {
                    loadCpu(v.instance());
                }
            }
            putRegisters();
            // Evaluate every vCPU, also those QEMU never reached, so the report names all problems.
            for (Profile.Vcpu v : src.vcpus()) {
                if (!vcpus.containsKey(v.instance())) {
                    analyseOnly(v.instance());
                }
            }
            if (!s.hidingActive() && src.asSent() && s.semantics().hasCompatProperties() && !s.hidden().isEmpty()) {
                notes.add("hidden registers only take effect on a source running QEMU with the property; "
                        + "a saved stream is checked as it is");
            }
            noteHiddenInStream();
            String firstError = lines.stream().filter(l -> !l.startsWith("warning:")).findFirst().orElse(null);
            List<VcpuCheck> list = new ArrayList<>(vcpus.values());
            return new CheckResult(!failed(), stage, List.copyOf(lines), failed() ? firstError : null, list,
                    Fixes.propose(list, s), List.copyOf(notes), s,
                    !failed() ? 0 : aborted ? QemuRelease.ABORT_EXIT_STATUS : 1, unknownSubsection);
        }

        /** After a load QEMU 11.1 completed: KVM refuses the first vCPU's values it puts, and QEMU exits. */
        private void putRegisters() {
            if (failed()) {
                return;
            }
            for (VcpuCheck v : vcpus.values()) {
                if (v.outcome().putRefused()) {
                    List<String> out = new ArrayList<>(v.outcome().putLines());
                    out.add(QemuMessages.putAfterInitFailed(QemuMessages.EINVAL));
                    fail(Stage.CPU, out);
                    return;
                }
            }
        }

        /** What the destination's release prints before loading anything: a deprecated machine, or no machine at all. */
        private void startUp() {
            QemuRelease r = release;
            if (r == null) {
                return;
            }
            String machine = dst.machineType() != null ? dst.machineType() : src.machineType();
            List<String> unsupported = r.unsupportedMachineLines(machine);
            if (!unsupported.isEmpty()) {
                notes.add("QEMU " + r + " has no machine type " + machine + ": it does not start");
                fail(Stage.MACHINE, unsupported);
                return;
            }
            r.deprecationWarning(machine).ifPresent(lines::add);
        }

        private void checkMachine() {
            if (src.machineType() == null || dst.machineType() == null) {
                return;
            }
            if (!src.machineType().equals(dst.machineType())) {
                fail(Stage.MACHINE, QemuMessages.machineMismatchLines(dialect, src.machineType(), dst.machineType()));
            }
        }

        private void checkRam() {
            if (src.ramBlocks() == null || dst.ramBlocks() == null || failed()) {
                return;
            }
            Map<String, Long> local = new HashMap<>();
            dst.ramBlocks().forEach(b -> local.put(b.name(), b.size()));
            for (Profile.RamBlock b : src.ramBlocks()) {
                Long size = local.get(b.name());
                if (size == null) {
                    fail(Stage.RAM, QemuMessages.unknownRamBlockLines(dialect, b.name()));
                    return;
                }
                if (size != b.size() && resizable(b.name())) {
                    notes.add(String.format("RAM block %s is 0x%x bytes in the stream and 0x%x on the destination: "
                            + "QEMU resizes it (a firmware blob; it fails only beyond the block's maximum size, "
                            + "which a profile does not record)", b.name(), b.size(), size));
                    continue;
                }
                if (size != b.size()) {
                    notes.add(String.format("RAM block %s is 0x%x bytes in the stream and 0x%x on the destination, "
                            + "and QEMU cannot resize it", b.name(), b.size(), size));
                    fail(Stage.RAM, QemuMessages.ramSizeMismatchLines(dialect, b.name(), b.size(), size));
                    return;
                }
            }
        }

        /** fw_cfg blobs (ACPI tables, table loader, RSDP) are resizable RAM blocks; guest RAM and flash are not. */
        private static boolean resizable(String block) {
            return block.startsWith("/rom@");
        }

        private void walkSections() {
            Map<String, Integer> local = new LinkedHashMap<>();
            Map<String, Long> localLayout = new HashMap<>();
            Map<String, List<Profile.Subsection>> localSubsections = new HashMap<>();
            for (Profile.SectionRef r : dst.sections()) {
                local.put(key(r.idstr(), r.instance()), r.version());
                localLayout.put(key(r.idstr(), r.instance()), r.mainFieldBytes());
                localSubsections.put(key(r.idstr(), r.instance()), r.subsections());
            }
            for (Profile.SectionRef r : src.sections()) {
                if (failed()) {
                    return;
                }
                Integer version = local.get(key(r.idstr(), r.instance()));
                if (version == null) {
                    fail(Stage.SECTION, QemuMessages.unknownSectionLines(dialect, r.idstr(), r.instance()));
                    return;
                }
                if (r.version() > version) {
                    fail(Stage.SECTION, QemuMessages.unsupportedVersionLines(dialect, r.version(), r.idstr(), version));
                    return;
                }
                if (r.idstr().equals("cpu")) {
                    loadCpu(r.instance(), subsectionFailure(r.subsections(),
                            localSubsections.get(key(r.idstr(), r.instance()))));
                    continue;
                }
                Long theirs = r.mainFieldBytes();
                Long ours = localLayout.get(key(r.idstr(), r.instance()));
                if (theirs != null && ours != null && r.version() == version && !theirs.equals(ours)) {
                    // same device and version, but its fields are sized by the configuration (e.g. one
                    // redistributor per vCPU): the destination reads its own layout and misses the footer
                    notes.add("device '" + r.idstr() + "' " + r.instance() + " has the same version on both sides but a"
                            + " different field layout (e.g. arrays sized by the vCPU count); QEMU reads it with its own"
                            + " layout and loses sync (the exact message depends on where it does)");
                    fail(Stage.SECTION, QemuMessages.missingFooterLines(dialect, r.idstr(), r.sectionId()));
                    return;
                }
                SubsectionFailure sub = subsectionFailure(r.subsections(), localSubsections.get(key(r.idstr(), r.instance())));
                if (sub != null) {
                    notes.add("device '" + r.idstr() + "' sends " + sub.subsection() + ", which QEMU " + s.release()
                            + " does not know");
                    if (!failed()) {
                        unknownSubsection = sub.name();
                    }
                    fail(Stage.SECTION, QemuMessages.unknownSubsectionLines(dialect, r.idstr(), r.instance(),
                            sub.field(), sub.name()));
                    return;
                }
            }
        }

        private static String key(String idstr, int instance) {
            return idstr + "#" + instance;
        }

        private CpregArray sent(Profile.Vcpu v) {
            return src.asSent() ? v.cpregs() : CpuLoadModel.sourceSends(v.cpregs(), s);
        }

        /** Why loading the source's cpu subsections fails on the destination, in stream order; null when it does not. */
        private record SubsectionFailure(Profile.Subsection subsection, boolean aborts) {
            String field() {
                return subsection.field();
            }

            String name() {
                return subsection.name();
            }
        }

        /**
         * The first of the source's cpu subsections the destination cannot load: one its release does not know
         * (unless its own stream carries it), or cpu/wfxt-timer into a CPU model without the timer on a release that
         * creates it only for CPUs with FEAT_WFxT (10.0 aborts; 11.1 creates it for every CPU).
         */
        private SubsectionFailure subsectionFailure(List<Profile.Subsection> theirs, List<Profile.Subsection> ours) {
            QemuRelease r = release;
            if (theirs == null || r == null) {
                return null;
            }
            for (Profile.Subsection sub : theirs) {
                boolean local = ours != null && ours.contains(sub);
                if (!local && !r.knowsSubsection(sub.name())) {
                    return new SubsectionFailure(sub, false);
                }
                if (sub.field() == null && sub.name().equals(QemuRelease.WFXT_TIMER) && ours != null && !local && r.abortsOnWfxtTimerWithoutFeature()) {
                    return new SubsectionFailure(sub, true);
                }
            }
            return null;
        }

        private void loadCpu(int instance) {
            loadCpu(instance, null);
        }

        private void loadCpu(int instance, SubsectionFailure subFailure) {
            Profile.Vcpu sv = src.vcpu(instance).orElse(null);
            if (sv == null) {
                return;
            }
            Profile.Vcpu dv = dst.vcpu(instance).orElse(null);
            if (dv == null) {
                fail(Stage.SECTION, QemuMessages.unknownSectionLines(dialect, "cpu", instance));
                return;
            }
            CpregArray sent = sent(sv);
            CpuLoadOutcome o = CpuLoadModel.load(instance, sent, CpuLoadModel.DestinationVcpu.of(dv.cpregs()), s, kvmRule);
            vcpus.put(instance, new VcpuCheck(instance, sent, dv.cpregs(), o));
            if (subFailure != null && o.failure() != FailureKind.LENGTH) {
                // the subsections load after the cpreg arrays passed the length check, before the merge
                if (subFailure.aborts()) {
                    notes.add("the stream carries cpu/wfxt-timer but the destination's CPU model has no WFxT timer: "
                            + "QEMU " + release + " aborts loading it (SIGABRT) instead of failing cleanly");
                    if (!failed()) {
                        aborted = true;
                    }
                    fail(Stage.CPU, List.of(QemuMessages.wfxtTimerAbort()));
                } else {
                    notes.add("the stream carries " + subFailure.subsection() + ", which QEMU " + s.release()
                            + " does not know");
                    if (!failed()) {
                        unknownSubsection = subFailure.name();
                    }
                    fail(Stage.CPU, QemuMessages.unknownSubsectionLines(dialect, "cpu", instance, subFailure.field(),
                            subFailure.name()));
                }
                return;
            }
            if (!o.loads()) {
                fail(Stage.CPU, o.qemuLines());
            } else if (!failed()) {
                lines.addAll(o.qemuLines()); // warnings of a successful load (11.1)
            }
        }

        private void analyseOnly(int instance) {
            Profile.Vcpu sv = src.vcpu(instance).orElse(null);
            Profile.Vcpu dv = dst.vcpu(instance).orElse(null);
            if (sv == null || dv == null) {
                if (dv == null && sv != null) {
                    notes.add("the destination has no vCPU " + instance);
                }
                return;
            }
            CpregArray sent = sent(sv);
            CpuLoadOutcome o = CpuLoadModel.load(instance, sent, CpuLoadModel.DestinationVcpu.of(dv.cpregs()), s, kvmRule);
            vcpus.put(instance, new VcpuCheck(instance, sent, dv.cpregs(), o));
        }

        private void noteHiddenInStream() {
            if (!src.asSent() || s.hidden().isEmpty()) {
                return;
            }
            TreeSet<RegId> carried = new TreeSet<>();
            for (Profile.Vcpu v : src.vcpus()) {
                for (RegId h : s.hidden()) {
                    if (v.cpregs().indexOf(h.value()) >= 0) {
                        carried.add(h);
                    }
                }
            }
            if (!carried.isEmpty()) {
                List<String> names = new ArrayList<>();
                carried.forEach(id -> names.add(RegCatalog.get().name(id)));
                notes.add("the source stream carries " + String.join(", ", names)
                        + ", which a source with the hidden property would not send: it was saved without it");
            }
        }
    }

    /** Registers named in an outcome as incoming-only, for fix proposals and reports. */
    static List<RegIssue> incomingOnly(CpuLoadOutcome o) {
        List<RegIssue> all = new ArrayList<>(o.unexpected());
        all.addAll(o.ignoredTail());
        return all;
    }

    static boolean toleratedBy111(RegId id, long value, LoadSettings s) {
        Tolerance t = Tolerance.find(id, s.accel());
        return s.semantics() == Semantics.QEMU_11_1 && t != null && t.accepts(value, true);
    }

    static List<ValueConflict> conflicts(List<VcpuCheck> vcpus) {
        List<ValueConflict> all = new ArrayList<>();
        vcpus.forEach(v -> all.addAll(v.outcome().conflicts()));
        return all;
    }
}
