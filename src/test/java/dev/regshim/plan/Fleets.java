package dev.regshim.plan;

import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.Semantics;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegSet;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Fleets and plans for the tests, from the embedded kernel database. */
final class Fleets {

    static final RegId TCR2 = RegId.of(0x603000000013c103L);
    static final RegId PIRE0 = RegId.of(0x603000000013c512L);
    static final RegId PIR = RegId.of(0x603000000013c513L);
    static final RegId BMAP_2 = RegId.of(0x6030000000160003L);

    private Fleets() {
    }

    /** Hosts named by their spec ({@code =} becomes {@code :}): {@code kernel("6.12", "6.13+sve")}. */
    static Fleet kernel(String... specs) {
        List<String> args = new ArrayList<>();
        for (String s : specs) {
            args.add(s.replace('=', ':') + "=kernel:" + s);
        }
        return Fleet.resolve(args);
    }

    static Fleet seed() {
        return kernel("6.12", "6.13", "6.17");
    }

    static FleetPlan plan(Fleet f, Semantics s) {
        return FleetPlanner.plan(f, PlanSettings.of(s, Accel.KVM));
    }

    static List<String> names(RegSet set) {
        return set.asList().stream().map(id -> RegCatalog.get().name(id)).collect(Collectors.toList());
    }

    static List<String> names(List<PlanEntry> entries) {
        return entries.stream().map(PlanEntry::name).collect(Collectors.toList());
    }

    /** The cell between two hosts' classes. */
    static Cell cell(FleetPlan p, Matrix m, String from, String to) {
        return m.cell(p.fleet().classOf(from).orElseThrow().index(), p.fleet().classOf(to).orElseThrow().index());
    }
}
