package dev.regshim.kernel;

import dev.regshim.regs.RegId;
import dev.regshim.regs.RegSet;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The computed {@code KVM_GET_REG_LIST} of one {@link KernelHost}: the set of IDs, why each one is listed, and the
 * part QEMU keeps in its cpreg list (everything but CORE and SVE, see {@link RegId#syncsViaCpregList()}).
 */
public final class KernelRegList {

    private final KernelHost host;
    private final RegSet regs;
    private final RegSet cpregs;
    private final Map<Long, RegListing> listings;

    KernelRegList(KernelHost host, Map<Long, RegListing> listingsInEmissionOrder) {
        this.host = host;
        this.listings = Collections.unmodifiableMap(listingsInEmissionOrder);
        long[] ids = listingsInEmissionOrder.keySet().stream().mapToLong(Long::longValue).toArray();
        this.regs = RegSet.of(ids);
        this.cpregs = regs.filter(id -> RegId.of(id).syncsViaCpregList());
    }

    public KernelHost host() {
        return host;
    }

    public KernelVersion version() {
        return host.version();
    }

    public KernelFeatures features() {
        return host.features();
    }

    /** True when the version was not read from a kernel tree (6.15, 6.16). */
    public boolean inferred() {
        return host.inferred();
    }

    /** Canonical spec, e.g. {@code 6.13+pmu}. */
    public String spec() {
        return host.spec();
    }

    /** Everything {@code KVM_GET_REG_LIST} returns. */
    public RegSet regs() {
        return regs;
    }

    /** What QEMU migrates as cpregs: {@link #regs()} without CORE and SVE. */
    public RegSet cpregs() {
        return cpregs;
    }

    public int size() {
        return regs.size();
    }

    public Optional<RegListing> listing(RegId id) {
        return Optional.ofNullable(listings.get(id.value()));
    }

    /** Every listing, in the order the kernel emits the parts (core, SVE, FW, timers, invariants, sys_regs, DEMUX). */
    public List<RegListing> listings() {
        return List.copyOf(listings.values());
    }
}
