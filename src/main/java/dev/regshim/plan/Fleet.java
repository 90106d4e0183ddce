package dev.regshim.plan;

import dev.regshim.RegshimException;
import dev.regshim.kernel.KernelHost;
import dev.regshim.kernel.KernelSpecException;
import dev.regshim.profile.Profile;
import dev.regshim.profile.source.KernelProfileSource;
import dev.regshim.profile.source.ProfileSources;
import dev.regshim.regs.CpregArray;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegSet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A fleet of named hosts, grouped into {@link HostClass equivalence classes}. Hosts are given as
 * {@code NAME=PROFILE} with any profile source ({@code kernel:6.13+pmu}, a stream, a profile JSON, a list file);
 * hosts sharing a profile argument share one resolved profile.
 */
public final class Fleet {

    /** Host names appear in HTML ids, command lines and JSON keys: keep them plain. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@+-]{0,127}");
    private static final String KERNEL_KIND = "kernel";

    private final List<FleetHost> hosts;
    private final List<HostClass> classes;
    private final int[] classOfHost;
    private final Map<String, Integer> hostIndex;

    private Fleet(List<FleetHost> hosts) {
        if (hosts.isEmpty()) {
            throw new RegshimException("a fleet needs at least one host (--host NAME=PROFILE)");
        }
        this.hosts = List.copyOf(hosts);
        this.hostIndex = new HashMap<>();
        for (int i = 0; i < hosts.size(); i++) {
            checkName(hosts.get(i).name(), hostIndex, i);
        }
        this.classOfHost = new int[hosts.size()];
        this.classes = group();
    }

    public static Fleet of(List<FleetHost> hosts) {
        return new Fleet(hosts);
    }

    /** A plain host name, not given before (names seen so far in {@code seen}, with their index). */
    private static void checkName(String n, Map<String, Integer> seen, int index) {
        if (!NAME.matcher(n).matches()) {
            throw new RegshimException("bad host name '" + n + "': use letters, digits and . _ : @ + - (up to 128)");
        }
        if (seen.put(n, index) != null) {
            throw new RegshimException("host name '" + n + "' is given twice");
        }
    }

    /** Resolves {@code NAME=PROFILE} arguments in order; equal PROFILE arguments are resolved once. */
    public static Fleet resolve(List<String> nameEqualsProfile) {
        return resolve(nameEqualsProfile, i -> null);
    }

    /**
     * As {@link #resolve(List)}, an error in argument {@code i} prefixed with {@code origin.apply(i)} when that is
     * not null ({@code fleet.txt line 4}: a line of a file says where it is, a command-line argument itself).
     */
    public static Fleet resolve(List<String> nameEqualsProfile, java.util.function.IntFunction<String> origin) {
        Map<String, Profile> bySpec = new HashMap<>();
        Map<String, Integer> names = new HashMap<>();
        List<FleetHost> out = new ArrayList<>();
        for (int i = 0; i < nameEqualsProfile.size(); i++) {
            String arg = nameEqualsProfile.get(i);
            try {
                int eq = arg.indexOf('=');
                if (eq <= 0 || eq == arg.length() - 1) {
                    throw new RegshimException("bad host '" + arg + "': expected NAME=PROFILE, e.g. k612=kernel:6.12");
                }
                String name = arg.substring(0, eq).strip();
                String spec = arg.substring(eq + 1).strip();
                checkName(name, names, i);
                Profile p = bySpec.computeIfAbsent(spec, ProfileSources::resolve);
                out.add(new FleetHost(name, spec, p));
            } catch (RegshimException | java.nio.file.InvalidPathException e) {
                String where = origin.apply(i);
                if (where == null) {
                    throw e;
                }
                String why = e instanceof RegshimException ? e.getMessage() : "not a usable file name: " + e.getMessage();
                throw new RegshimException(where + ": " + why, e);
            }
        }
        return new Fleet(out);
    }

    public List<FleetHost> hosts() {
        return hosts;
    }

    public List<HostClass> classes() {
        return classes;
    }

    public HostClass classOf(int hostIndex) {
        return classes.get(classOfHost[hostIndex]);
    }

    public Optional<HostClass> classOf(String host) {
        Integer i = hostIndex.get(host);
        return i == null ? Optional.empty() : Optional.of(classOf(i));
    }

    /** The key of an equivalence class: everything a migration check reads from a profile, plus guest features. */
    private record ClassKey(String machine, Integer pageSize, List<Profile.RamBlock> ram, List<Profile.SectionRef> sections,
                            List<Profile.Vcpu> vcpus, boolean asSent, boolean template, Map<GuestFeature, Tri> features) {
    }

    private List<HostClass> group() {
        // hosts usually share profile objects (one per distinct argument): key each distinct profile once
        Map<Profile, ClassKey> keyOf = new IdentityHashMap<>();
        Map<ClassKey, Integer> classIndex = new LinkedHashMap<>();
        List<List<String>> members = new ArrayList<>();
        List<Profile> reps = new ArrayList<>();
        List<ClassKey> keys = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            Profile p = hosts.get(i).profile();
            ClassKey key = keyOf.computeIfAbsent(p, Fleet::key);
            Integer c = classIndex.get(key);
            if (c == null) {
                c = members.size();
                classIndex.put(key, c);
                members.add(new ArrayList<>());
                reps.add(p);
                keys.add(key);
            }
            members.get(c).add(hosts.get(i).name());
            classOfHost[i] = c;
        }
        List<TreeMap<String, KernelHost>> kernels = new ArrayList<>();
        members.forEach(m -> kernels.add(new TreeMap<>()));
        Map<Profile, Optional<KernelHost>> kernelOf = new IdentityHashMap<>();
        for (int i = 0; i < hosts.size(); i++) {
            Optional<KernelHost> k = kernelOf.computeIfAbsent(hosts.get(i).profile(), Fleet::kernelHost);
            if (k.isPresent()) {
                kernels.get(classOfHost[i]).putIfAbsent(k.get().spec(), k.get());
            }
        }
        List<HostClass> out = new ArrayList<>();
        for (int c = 0; c < members.size(); c++) {
            Profile p = reps.get(c);
            List<KernelHost> ks = new ArrayList<>(kernels.get(c).values());
            ks.sort(Comparator.comparing(KernelHost::version).thenComparing(KernelHost::spec));
            out.add(new HostClass(c, members.get(c), p, registers(p), keys.get(c).features(), ks));
        }
        return Collections.unmodifiableList(out);
    }

    private static ClassKey key(Profile p) {
        return new ClassKey(p.machineType(), p.pageSize(), p.ramBlocks(), p.sections(), p.vcpus(), p.asSent(),
                p.template(), features(p));
    }

    static RegSet registers(Profile p) {
        RegSet all = RegSet.empty();
        for (Profile.Vcpu v : p.vcpus()) {
            all = all.union(v.cpregs().idSet());
        }
        return all;
    }

    /** The kernel host a {@code kernel:} profile was computed for. */
    static Optional<KernelHost> kernelHost(Profile p) {
        if (!KERNEL_KIND.equals(p.provenance().kind())) {
            return Optional.empty();
        }
        String src = p.provenance().source();
        String spec = src.startsWith(KernelProfileSource.PREFIX) ? src.substring(KernelProfileSource.PREFIX.length()) : src;
        try {
            return Optional.of(KernelHost.parse(spec));
        } catch (KernelSpecException e) {
            return Optional.empty();
        }
    }

    /**
     * What a guest on this profile's hosts sees. From the kernel database: the feature flag, and for host CPU features
     * also a listed register it gates (a kernel that lists none does not offer the feature to guests). From values:
     * the guest's own ID registers. Otherwise unknown.
     */
    static Map<GuestFeature, Tri> features(Profile p) {
        Map<GuestFeature, Tri> out = new EnumMap<>(GuestFeature.class);
        Optional<KernelHost> k = kernelHost(p);
        List<String> flags = p.provenance().features();
        RegSet regs = null;
        for (GuestFeature f : GuestFeature.values()) {
            Tri t;
            if (k.isPresent()) {
                boolean flag = k.get().features().has(f.kernelFeature())
                        || flags.contains(f.kernelFeature().name().toLowerCase(Locale.ROOT));
                if (flag && f.hostCpuFeature()) {
                    regs = regs == null ? registers(p) : regs;
                    flag = listsGated(regs, f);
                }
                t = flag ? Tri.YES : Tri.NO;
            } else {
                t = fromValues(p, f);
            }
            out.put(f, t);
        }
        return out;
    }

    private static boolean listsGated(RegSet regs, GuestFeature f) {
        for (RegId id : regs) {
            if (GuestFeature.gating(id).filter(g -> g == f).isPresent()) {
                return true;
            }
        }
        return false;
    }

    /** Why {@link #features} could not tell whether a guest on this profile's hosts sees {@code f}. */
    static String whyUnknown(Profile p, GuestFeature f) {
        if (p.vcpus().isEmpty() || !p.vcpus().get(0).cpregs().hasValues()) {
            return "no kernel features and no register values";
        }
        // e.g. QEMU under TCG keeps constant ID registers out of the cpreg arrays it migrates
        return "register values, but no " + f.idField() + " (which shows " + f.title() + ")";
    }

    private static Tri fromValues(Profile p, GuestFeature f) {
        if (p.vcpus().isEmpty()) {
            return Tri.UNKNOWN;
        }
        CpregArray a = p.vcpus().get(0).cpregs();
        if (!a.hasValues()) {
            return Tri.UNKNOWN;
        }
        return f.presentIn(a).map(b -> b ? Tri.YES : Tri.NO).orElse(Tri.UNKNOWN);
    }

    /** The machine type every host's profile records (streams and captures do), when they all record the same one. */
    public java.util.Optional<String> commonMachineType() {
        java.util.Set<String> seen = new java.util.TreeSet<>();
        for (var h : hosts()) {
            String m = h.profile().machineType();
            if (m == null) {
                return java.util.Optional.empty();
            }
            seen.add(m);
        }
        return seen.size() == 1 ? java.util.Optional.of(seen.iterator().next()) : java.util.Optional.empty();
    }
}
