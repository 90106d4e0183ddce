package dev.regshim.lab;

import com.fasterxml.jackson.databind.JsonNode;
import dev.regshim.cli.Cli;
import dev.regshim.cli.Json;
import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.QemuMessages;
import dev.regshim.cpreg.Semantics;
import dev.regshim.plan.Cell;
import dev.regshim.plan.CellVerdict;
import dev.regshim.plan.Fleet;
import dev.regshim.plan.FleetPlan;
import dev.regshim.plan.FleetPlanner;
import dev.regshim.plan.PlanSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code plan} for a fleet of real-kernel captures under QEMU 11.1 (no properties to emit: its built-in tolerances
 * cover some directions, not others) against real QEMU 11.1 loads under KVM: every cell the plan predicts is held
 * against what 11.1 really did, verdict and lines.
 */
@Tag("kvm")
class PlanQemu111KvmTest {

    static final String HOST = "max@10.0";
    static final List<String> KERNELS = List.of("6.12.43", "6.18", "7.3");

    @BeforeAll
    static void lab() {
        Lab.require();
        Lab.requireUserland("11.1");
    }

    @Test
    void thePlanFor111IsWhatReal111Does(@TempDir Path dir) throws IOException {
        List<String> hosts = new ArrayList<>();
        for (String k : KERNELS) {
            Path cap = dir.resolve(k + ".json");
            Cli.Run c = Cli.run("kernel", "capture", k, "--host", HOST, "-o", cap.toString());
            assertThat(c.exit()).as(c.all()).isZero();
            hosts.add("k" + k.replace(".", "") + "=" + cap);
        }
        FleetPlan plan = FleetPlanner.plan(Fleet.resolve(hosts), PlanSettings.of(Semantics.QEMU_11_1, Accel.KVM));
        assertThat(plan.accepted()).as("7.3's PMMIR_EL1 is not covered by 11.1's tolerances").isFalse();
        // the directions the story turns on: 11.1's tolerance (6.18 -> 7.3 loads), PMMIR_EL1 (7.3 -> 6.18 fails)
        for (int[] d : new int[][]{{1, 2}, {2, 1}}) {
            Cell cell = plan.after().cell(d[0], d[1]);
            JsonNode real = Json.MAPPER.readTree(Cli.run("lab", "migrate", "--from", KERNELS.get(d[0]), "--to",
                    KERNELS.get(d[1]), "--host", HOST, "--qemu", "11.1", "--via", "direct", "--json").out());
            boolean loaded = real.get("destination").get("loaded").asBoolean();
            assertThat(cell.verdict() == CellVerdict.LOADS || cell.verdict() == CellVerdict.CONDITIONAL)
                    .as(KERNELS.get(d[0]) + " -> " + KERNELS.get(d[1]) + ": " + cell.headline()).isEqualTo(loaded);
            if (!loaded) {
                List<String> lines = new ArrayList<>();
                real.get("destination").get("qemu_lines").forEach(l -> lines.add(
                        l.asText().replaceFirst("^" + QemuMessages.PROGRAM_PREFIX, "")));
                assertThat(cell.result().qemuLines()).isEqualTo(lines);
            }
        }
    }
}
