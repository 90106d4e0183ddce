package dev.regshim.cli;

import dev.regshim.check.CheckResult;
import dev.regshim.check.VcpuCheck;
import dev.regshim.cpreg.CpuLoadOutcome;
import dev.regshim.cpreg.RegIssue;
import dev.regshim.plan.GuestFeature;
import dev.regshim.profile.Profile;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one-line causes {@code check} opens with, before QEMU's lines and the register lists: a stream from another
 * accelerator, a CPU feature one side has and the other has not (with its registers counted), registers only one side
 * lists, a list longer than the destination accepts, value conflicts. Computed from the typed findings of the first
 * vCPU that does not load (the others are usually the same).
 */
final class CheckCauses {

    /** Register names shown in a cause before "and N more". */
    static final int NAMES = 4;

    private CheckCauses() {
    }

    static List<String> of(Profile src, CheckResult r) {
        List<String> out = new ArrayList<>();
        if (r.loads()) {
            return out;
        }
        CpuLoadOutcome o = r.vcpus().stream().map(VcpuCheck::outcome).filter(x -> !x.loads() || x.putRefused())
                .findFirst().orElse(null);
        String srcAccel = src.provenance().accel();
        String dstAccel = r.settings().accel().label();
        boolean otherAccel = srcAccel != null && !srcAccel.equalsIgnoreCase(dstAccel);
        if (otherAccel) {
            out.add(srcAccel.toUpperCase(Locale.ROOT) + " stream, " + dstAccel.toUpperCase(Locale.ROOT)
                    + " destination: the two accelerators present different registers"
                    + (o == null ? "" : " (" + o.unexpected().size() + " only in the stream, " + o.missing().size()
                    + " only on the destination)") + "; migrate between hosts of the same accelerator");
        }
        if (o == null) {
            if (r.firstError() != null) {
                out.add("not a register difference: " + r.firstError());
            }
            return out;
        }
        if (!otherAccel) {
            List<RegIssue> restUnexpected = byFeature(out, o.unexpected(), "the source vCPU has %s, the destination has not");
            List<RegIssue> restMissing = byFeature(out, o.missing(), "the destination has %s, the source vCPU has not");
            if (!restUnexpected.isEmpty()) {
                out.add("registers only the source lists: " + counted(restUnexpected));
            }
            if (!restMissing.isEmpty()) {
                out.add("registers only the destination lists: " + counted(restMissing));
            }
        }
        if (o.lengthLimit().isPresent() && o.incomingCount() > o.lengthLimit().getAsLong()) {
            out.add("the stream sends " + o.incomingCount() + " registers per vCPU, the destination accepts at most "
                    + o.lengthLimit().getAsLong() + ", so QEMU stops at the array length");
        }
        if (o.putRefused() && o.conflicts().isEmpty()) {
            List<RegId> hidden = new ArrayList<>();
            o.missing().forEach(i -> dev.regshim.regs.fields.KvmVisibility.gate(i.id()).ifPresent(g -> hidden.add(i.id())));
            out.add("KVM hides what the destination keeps once the stream's ID values (without the feature) are "
                    + "written, so QEMU cannot put it: " + countedIds(hidden) + "; regshim rewrite shows the feature");
        }
        if (!o.conflicts().isEmpty()) {
            List<RegId> ids = new ArrayList<>();
            o.conflicts().forEach(c -> ids.add(c.id()));
            out.add("values the destination cannot take: " + countedIds(ids));
        }
        return out;
    }

    /** One cause per guest feature that gates some of {@code issues}; returns the ones no feature explains. */
    private static List<RegIssue> byFeature(List<String> out, List<RegIssue> issues, String sentence) {
        Map<GuestFeature, List<RegId>> features = new EnumMap<>(GuestFeature.class);
        List<RegIssue> rest = new ArrayList<>();
        for (RegIssue i : issues) {
            GuestFeature.gating(i.id()).ifPresentOrElse(f -> features.computeIfAbsent(f, k -> new ArrayList<>()).add(i.id()),
                    () -> rest.add(i));
        }
        features.forEach((f, ids) -> out.add(String.format(sentence, f.title()) + ": " + countedIds(ids)));
        return rest;
    }

    private static String counted(List<RegIssue> issues) {
        List<RegId> ids = new ArrayList<>();
        issues.forEach(i -> ids.add(i.id()));
        return countedIds(ids);
    }

    /** {@code 10 registers (APIAKEYLO_EL1, APIAKEYHI_EL1, APIBKEYLO_EL1, APIBKEYHI_EL1 and 6 more)}. */
    static String countedIds(List<RegId> ids) {
        List<String> names = new ArrayList<>();
        ids.stream().limit(NAMES).forEach(id -> names.add(RegCatalog.get().name(id)));
        return ids.size() + (ids.size() == 1 ? " register (" : " registers (") + String.join(", ", names)
                + (ids.size() > NAMES ? " and " + (ids.size() - NAMES) + " more" : "") + ")";
    }
}
