package dev.regshim.kernel.capture;

import dev.regshim.kernel.KernelRegDb;
import dev.regshim.kernel.KernelRegList;
import dev.regshim.regs.RegId;
import dev.regshim.regs.RegSetDiff;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kernel table against its evidence: every committed capture of a real kernel (scripts/capture-evidence.sh), set
 * by set, must equal what {@code kernel show} computes for the capture's spec, register for register. Where they
 * differ the table is wrong, never this test.
 */
class KernelCaptureEvidenceTest {

    /** The series Debian packages for arm64, each of which the evidence must cover. */
    static final List<String> DEBIAN_SERIES = List.of("6.1", "6.12", "6.16", "6.17", "6.18", "6.19", "7.0", "7.1", "7.2", "7.3");

    @TestFactory
    Stream<DynamicTest> everyCapturedSetEqualsTheTable() {
        assertThat(Evidence.all()).hasSizeGreaterThanOrEqualTo(DEBIAN_SERIES.size() * 3);
        List<DynamicTest> tests = new ArrayList<>();
        for (Evidence.Entry e : Evidence.all()) {
            for (CapturedSet s : e.capture().sets()) {
                if (!s.offered()) {
                    continue;
                }
                tests.add(DynamicTest.dynamicTest(e.file() + " " + s.name(), () -> {
                    String spec = CaptureSpecs.specText(e.capture(), s);
                    assertThat(spec).as("a series the table knows").isNotNull();
                    KernelRegList table = KernelRegDb.parseSpec(spec);
                    RegSetDiff d = s.regs().diff(table.regs());
                    assertThat(d.onlyLeft()).as(spec + ": listed by the real kernel, not by the table").isEmpty();
                    assertThat(d.onlyRight()).as(spec + ": listed by the table, not by the real kernel").isEmpty();
                    assertThat(s.cpregs()).isEqualTo(table.cpregs());
                }));
            }
        }
        return tests.stream();
    }

    @Test
    void everyDebianSeriesIsObservedOnThreeHostsWithDifferentFeatures() {
        Map<String, Set<String>> hostsBySeries = new HashMap<>();
        Map<String, Set<String>> featuresBySeries = new HashMap<>();
        for (Evidence.Entry e : Evidence.all()) {
            String up = e.capture().kernel().upstream();
            String series = up.replaceAll("^(\\d+\\.\\d+).*", "$1");
            hostsBySeries.computeIfAbsent(series, k -> new HashSet<>()).add(e.capture().host().cpu() + "@" + e.capture().host().qemuVersion());
            CapturedSet pmu = e.capture().set("pmu").orElseThrow();
            // the host as KVM reports it: the VM's ID registers
            StringBuilder ids = new StringBuilder();
            for (int crm = 4; crm <= 7; crm++) {
                for (int op2 = 0; op2 < 8; op2++) {
                    ids.append(pmu.value(RegId.sysreg(3, 0, 0, crm, op2)).orElse(-1)).append(',');
                }
            }
            featuresBySeries.computeIfAbsent(series, k -> new HashSet<>()).add(ids.toString());
        }
        for (String series : DEBIAN_SERIES) {
            assertThat(hostsBySeries.get(series)).as(series).hasSizeGreaterThanOrEqualTo(3);
            assertThat(featuresBySeries.get(series)).as(series + ": hosts with different ID registers").hasSizeGreaterThanOrEqualTo(3);
        }
        Set<String> releases12 = new HashSet<>();
        Evidence.all().forEach(e -> {
            if (e.capture().kernel().upstream().startsWith("6.12.")) {
                releases12.add(e.capture().kernel().upstream());
            }
        });
        assertThat(releases12).as("6.12 at its oldest and newest point release").hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void theIndexDescribesEveryFile() {
        assertThat(Evidence.index()).hasSameSizeAs(Evidence.all());
        for (int i = 0; i < Evidence.all().size(); i++) {
            Evidence.Row row = Evidence.index().get(i);
            KvmCapture c = Evidence.all().get(i).capture();
            assertThat(row).as(row.file()).isEqualTo(new Evidence.Row(row.file(), c.kernel().upstream(), c.kernel().release(),
                    c.kernel().packageName(), c.kernel().packageVersion(), c.kernel().suite(), c.host().cpu(),
                    c.host().qemuVersion()));
            assertThat(row.file()).startsWith(c.kernel().upstream() + "-" + c.host().cpu() + "-");
        }
    }

    @Test
    void theNewestBreaksAreInTheEvidence() {
        RegId pmmir = RegId.sysreg(3, 0, 9, 14, 6);
        for (Evidence.Entry e : Evidence.all()) {
            String up = e.capture().kernel().upstream();
            CapturedSet pmu = e.capture().set("pmu").orElseThrow();
            if (up.startsWith("7.3")) {
                assertThat(pmu.value(pmmir)).as(e.file() + ": PMMIR_EL1 listed, value 0").hasValue(0);
                assertThat(e.capture().set("none").orElseThrow().regs().contains(pmmir)).as("only with a PMU").isFalse();
            } else {
                assertThat(pmu.regs().contains(pmmir)).as(e.file()).isFalse();
            }
        }
    }
}
