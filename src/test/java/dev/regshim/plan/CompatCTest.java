package dev.regshim.plan;

import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.Semantics;
import dev.regshim.testing.Processes;
import dev.regshim.testing.QemuTestSupport;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compiles the emitted C compat code with the host C compiler against a stand-in for the few QEMU/GLib names it uses,
 * and runs the machine-version chain the way hw/arm/virt.c does: a newer version's options already set
 * {@code x-mig-safe-missing-regs} (the series' DBGDTRTX entry), then the plan's array is installed. The harness fails
 * when any array property would be set twice, as QEMU aborts then; a naive {@code compat_props_add()} of the same array
 * shows it does.
 */
@Tag("gcc")
class CompatCTest {

    @TempDir
    Path tmp;

    private static final String HARNESS = String.join("\n",
            "#include <stdbool.h>",
            "#include <stddef.h>",
            "#include <stdio.h>",
            "#include <stdlib.h>",
            "#include <string.h>",
            "typedef unsigned int guint;",
            "typedef struct { void **pdata; guint len; guint cap; } GPtrArray;",
            "static GPtrArray *g_ptr_array_new(void) { return calloc(1, sizeof(GPtrArray)); }",
            "static void g_ptr_array_add(GPtrArray *a, void *p) {",
            "    if (a->len == a->cap) { a->cap = a->cap ? 2 * a->cap : 8; a->pdata = realloc(a->pdata, a->cap * sizeof(void *)); }",
            "    a->pdata[a->len++] = p;",
            "}",
            "static void g_ptr_array_remove_index(GPtrArray *a, guint i) {",
            "    memmove(&a->pdata[i], &a->pdata[i + 1], (a->len - i - 1) * sizeof(void *)); a->len--;",
            "}",
            "#define g_ptr_array_index(a, i) ((a)->pdata[i])",
            "#define G_N_ELEMENTS(x) (sizeof(x) / sizeof((x)[0]))",
            "typedef struct { const char *driver; const char *property; const char *value; bool used; bool optional; } GlobalProperty;",
            "typedef struct { GPtrArray *compat_props; } MachineClass;",
            "#define TYPE_ARM_CPU \"arm-cpu\"",
            "static void compat_props_add(GPtrArray *arr, GlobalProperty props[], size_t n) {",
            "    for (size_t i = 0; i < n; i++) g_ptr_array_add(arr, &props[i]);",
            "}",
            "#include \"compat.c\"",
            "static GlobalProperty newer_version_compat[] = {",
            "    { TYPE_ARM_CPU, \"x-mig-safe-missing-regs\", \"0x40200000200e0298\" },",
            "    { \"virtio-net-pci\", \"x-example\", \"off\" },",
            "};",
            "int main(int argc, char **argv) {",
            "    MachineClass mc = { g_ptr_array_new() };",
            "    compat_props_add(mc.compat_props, newer_version_compat, G_N_ELEMENTS(newer_version_compat));",
            "    if (argc > 1) compat_props_add(mc.compat_props, ARRAY, G_N_ELEMENTS(ARRAY)); /* naive wiring */",
            "    else arm_virt_set_reg_compat(&mc, ARRAY, G_N_ELEMENTS(ARRAY));",
            "    for (guint i = 0; i < mc.compat_props->len; i++) {",
            "        GlobalProperty *p = g_ptr_array_index(mc.compat_props, i);",
            "        for (guint j = 0; j < i; j++) {",
            "            GlobalProperty *q = g_ptr_array_index(mc.compat_props, j);",
            "            if (!strcmp(p->driver, q->driver) && !strcmp(p->property, q->property)) {",
            "                printf(\"array size property %s may not be set more than once\\n\", p->property);",
            "                return 1;",
            "            }",
            "        }",
            "        printf(\"%s.%s=%s%s\\n\", p->driver, p->property, p->value, p->optional ? \" (optional)\" : \"\");",
            "    }",
            "    return 0;",
            "}",
            "");

    private static Path gcc() {
        return Processes.which("gcc").orElseGet(() -> {
            if (QemuTestSupport.isCi()) {
                Assertions.fail("CI=true but the test needs gcc");
            }
            Assumptions.abort("skipped: needs gcc");
            return null;
        });
    }

    private Path build(FleetPlan p, String array) throws Exception {
        Files.writeString(tmp.resolve("compat.c"), CompatEmitter.c(p));
        Files.writeString(tmp.resolve("harness.c"), HARNESS);
        Path exe = tmp.resolve("harness");
        Processes.Result r = Processes.run(List.of(gcc().toString(), "-std=c11", "-Wall", "-Werror",
                "-Wno-unused-function", "-DARRAY=" + array, "-I", tmp.toString(), "-o", exe.toString(),
                tmp.resolve("harness.c").toString()), Duration.ofSeconds(60));
        assertThat(r.exit()).as(r.err()).isZero();
        return exe;
    }

    @Test
    void seriesV2ArrayReplacesTheNewerVersionsEntryInsteadOfSettingItTwice() throws Exception {
        FleetPlan p = FleetPlanner.plan(Fleets.seed(), PlanSettings.of(Semantics.SERIES_V2, Accel.KVM));
        Path exe = build(p, "arm_virt_reg_compat_10_1");
        Processes.Result ok = Processes.run(List.of(exe.toString()), Duration.ofSeconds(20));
        assertThat(ok.exit()).as(ok.out()).isZero();
        assertThat(ok.out().split("\n")).containsExactly(
                "virtio-net-pci.x-example=off",
                "arm-cpu.x-mig-hidden-regs=0x6030000000160003",
                "arm-cpu.x-mig-safe-missing-regs=0x40200000200e0298, 0x603000000013c103, 0x603000000013c512, 0x603000000013c513");
        Processes.Result naive = Processes.run(List.of(exe.toString(), "naive"), Duration.ofSeconds(20));
        assertThat(naive.exit()).isEqualTo(1);
        assertThat(naive.out()).contains("array size property x-mig-safe-missing-regs may not be set more than once");
    }

    @Test
    void seriesV1EntriesAreOptionalForTcgGuests() throws Exception {
        FleetPlan p = FleetPlanner.plan(Fleets.seed(), PlanSettings.of(Semantics.SERIES_V1, Accel.KVM));
        Processes.Result ok = Processes.run(List.of(build(p, "arm_virt_reg_compat_10_1").toString()), Duration.ofSeconds(20));
        assertThat(ok.exit()).isZero();
        assertThat(ok.out()).contains("arm-cpu.kvm-hidden-regs=0x6030000000160003 (optional)")
                .contains("arm-cpu.kvm-enforced-regs=0x603000000013c103, 0x603000000013c512, 0x603000000013c513 (optional)")
                .contains("arm-cpu.x-mig-safe-missing-regs=0x40200000200e0298"); // another property: untouched
    }
}
