package dev.regshim.profile.source;

import dev.regshim.RegshimException;
import dev.regshim.kernel.HostFeatures;
import dev.regshim.kernel.KernelFeature;
import dev.regshim.kernel.KernelFeatures;
import dev.regshim.kernel.capture.CaptureJson;
import dev.regshim.kernel.capture.CapturedSet;
import dev.regshim.kernel.capture.KvmCapture;
import dev.regshim.profile.Profile;
import dev.regshim.profile.Provenance;
import dev.regshim.regs.CpregArray;
import dev.regshim.regs.RegId;
import dev.regshim.util.JsonInput;
import dev.regshim.util.Text;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * A capture file ({@code regshim kernel capture -o FILE}) as a profile: the cpreg list QEMU under KVM builds from
 * one captured vCPU feature set, with the reset values KVM reported. {@code FILE} picks the set {@code -cpu host} runs
 * (PMU, SVE and pointer authentication wherever KVM offers them); {@code FILE#SET} picks another
 * ({@code cap.json#pmu}).
 */
public final class CaptureProfileSource implements ProfileSource {

    static final char SET_SEPARATOR = '#';
    private static final int SNIFF_BYTES = 4096;

    @Override
    public boolean accepts(String spec) {
        Path p = Path.of(fileOf(spec));
        if (!Files.isRegularFile(p)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(p)) {
            return CaptureJson.isCapture(in.readNBytes(SNIFF_BYTES));
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public Profile load(String spec) {
        String file = fileOf(spec);
        KvmCapture c = CaptureJson.read(JsonInput.read(Path.of(file), CaptureJson.MAX_FILE_BYTES));
        String wanted = spec.length() > file.length() ? spec.substring(file.length() + 1) : null;
        CapturedSet set = wanted == null ? c.cpuHostDefault().orElseThrow(() -> new RegshimException(file
                + ": no probed vCPU set matches what -cpu host runs; pick one with " + file + "#SET ("
                + offered(c) + ")")) : pick(c, file, wanted);
        return fromSet(c, set, file + SET_SEPARATOR + set.name() + (wanted == null ? " (the set -cpu host runs)" : ""));
    }

    /** A profile for one captured set. */
    public static Profile fromSet(KvmCapture c, CapturedSet set, String source) {
        List<String> features = new ArrayList<>();
        KernelFeatures f = HostFeatures.of(set.features(), set::value);
        for (KernelFeature x : f.enabled()) {
            features.add(x.specName());
        }
        Provenance p = Provenance.of("kvm-capture", source).withQemu(null, null, "host", "kvm")
                .withKernel(c.kernel().release(), features, false);
        long[] ids = set.cpregs().toArray();
        long[] values = new long[ids.length];
        boolean allRead = true;
        for (int i = 0; i < ids.length; i++) {
            OptionalLong v = set.value(RegId.of(ids[i]));
            allRead &= v.isPresent();
            values[i] = v.orElse(0);
        }
        CpregArray arr = allRead ? CpregArray.of(ids, values) : CpregArray.idsOnly(set.cpregs());
        return new Profile(p, null, null, null, null, List.of(new Profile.Vcpu(0, arr)), false, true,
                c.writeRules(set));
    }

    private static CapturedSet pick(KvmCapture c, String file, String wanted) {
        String w = wanted.strip().toLowerCase(Locale.ROOT);
        return c.set(w).map(s -> {
            if (!s.offered()) {
                throw new RegshimException(file + ": vCPU set " + s.name() + " was not offered by that kernel ("
                        + dev.regshim.kernel.capture.CaptureSpecs.whyRefused(c, s) + ")");
            }
            return s;
        }).orElseThrow(() -> new RegshimException(file + ": no vCPU set '" + Text.safe(wanted, 40) + "' (captured: "
                + offered(c) + ")"));
    }

    private static String offered(KvmCapture c) {
        return c.sets().stream().filter(CapturedSet::offered).map(CapturedSet::name).collect(Collectors.joining(", "));
    }

    /** The file part of {@code FILE#SET}. */
    static String fileOf(String spec) {
        int hash = spec.lastIndexOf(SET_SEPARATOR);
        if (hash > 0 && !Files.exists(Path.of(spec))) {
            return spec.substring(0, hash);
        }
        return spec;
    }
}
