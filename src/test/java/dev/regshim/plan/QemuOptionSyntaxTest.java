package dev.regshim.plan;

import dev.regshim.cpreg.Semantics;
import dev.regshim.qemu.QemuBinary;
import dev.regshim.testing.Processes;
import dev.regshim.testing.QemuTestSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command-line syntax regshim emits, against real QEMU. No released QEMU has the series' properties, so the
 * emitted {@code -global} argument is given to QEMU 10.0 with another array property of the same kind
 * ({@code arm-gicv3.redist-region-count}, a list the virt board also sets): QEMU reaching "may not be set more than once"
 * proves the value parsed as a list, and shows the abort a second setting causes.
 */
@Tag("qemu")
class QemuOptionSyntaxTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static Processes.Result run(QemuBinary q, String... extra) {
        List<String> cmd = new ArrayList<>(List.of(q.path().toString(), "-M", "virt,gic-version=3", "-display", "none",
                "-S", "-monitor", "none", "-serial", "none", "-nodefaults"));
        cmd.addAll(List.of(extra));
        return Processes.run(cmd, TIMEOUT);
    }

    /** The emitted argument with driver and property swapped for a real array property. */
    private static String emittedArgument() {
        FleetPlan p = Fleets.plan(Fleets.seed(), Semantics.SERIES_V2);
        String arg = CompatEmitter.globalArgs(p).get(3); // x-mig-safe-missing-regs, three registers
        assertThat(arg).contains(",,");
        return arg.replace("driver=arm-cpu,property=x-mig-safe-missing-regs", "driver=arm-gicv3,property=redist-region-count");
    }

    @Test
    void qemu10ParsesTheEmittedValueAsAList() {
        QemuBinary q = QemuTestSupport.requireQemu10();
        FleetPlan p = Fleets.plan(Fleets.seed(), Semantics.SERIES_V2);
        CompatEmitter.Property safeMissing = CompatEmitter.properties(p).get(1);
        // the exact emitted argument: QEMU applies the property value regshim means, commas undoubled
        Processes.Result r = run(q, "-cpu", "max", "-global", emittedArgument());
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("can't apply global arm-gicv3.redist-region-count=" + safeMissing.value() + ": ")
                .contains("expects uint32_t"); // each element was parsed: 64-bit IDs do not fit this uint32 list
        // the same syntax with elements that fit: the list is taken, and the board's own setting then aborts
        String small = emittedArgument().replaceAll("0x6030000000[0-9a-f]{6}", "0x1");
        Processes.Result list = run(q, "-cpu", "max", "-global", small);
        assertThat(list.err()).contains("array size property redist-region-count may not be set more than once")
                .doesNotContain("expects list");
        // single commas in the QemuOpts form split the option: QEMU rejects it
        Processes.Result single = run(q, "-cpu", "max", "-global", small.replace(",,", ","));
        assertThat(single.err()).contains("Invalid parameter");
        // the shorthand form passes the value verbatim: doubled commas there are wrong, single ones right
        String value = small.substring(small.indexOf("value=") + "value=".length());
        Processes.Result shortDoubled = run(q, "-cpu", "max", "-global", "arm-gicv3.redist-region-count=" + value);
        assertThat(shortDoubled.err()).contains("expects list of uint64 values or ranges");
        Processes.Result shortSingle = run(q, "-cpu", "max", "-global", "arm-gicv3.redist-region-count=" + value.replace(",,", ","));
        assertThat(shortSingle.err()).contains("may not be set more than once");
    }

    @Test
    void cpuOptionCannotCarryAList() {
        QemuBinary q = QemuTestSupport.requireQemu();
        Processes.Result r = run(q, "-cpu", "max,midr=0x1,,0x2");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("Expected key=value format, found 0x2.");
    }
}
