package dev.regshim.kernel.capture;

import dev.regshim.cpreg.KvmValueRule;
import dev.regshim.cpreg.KvmWriteRules;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The KVM value rules against real kernels: every value trial in the evidence (another kernel's values written
 * into a fresh vCPU with KVM_SET_ONE_REG, as QEMU writes them after a migration) must be accepted or refused exactly as
 * {@link KvmWriteRules} predicts from the destination capture's own values and writable masks.
 */
class KvmWriteRulesEvidenceTest {

    @TestFactory
    Stream<DynamicTest> everyRealWriteIsPredicted() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Evidence.Entry e : Evidence.all()) {
            for (ValueTrial t : e.capture().trials()) {
                CapturedSet dest = e.capture().set(t.set()).orElseThrow();
                tests.add(DynamicTest.dynamicTest(e.file() + " <- " + t.label(), () -> {
                    KvmValueRule rule = e.capture().writeRules(dest);
                    List<String> wrong = new ArrayList<>();
                    for (ValueTrial.Entry w : t.entries()) {
                        RegId id = RegId.of(w.id());
                        OptionalLong own = dest.value(id);
                        if (own.isEmpty()) {
                            continue; // not listed here: QEMU would not write it (the list check fails first)
                        }
                        boolean predicted = rule.check(id, w.value(), own.getAsLong()).accepted();
                        if (predicted != w.accepted()) {
                            wrong.add(String.format("%s 0x%x into 0x%x: KVM %s, predicted %s",
                                    RegCatalog.get().name(id), w.value(), own.getAsLong(),
                                    w.accepted() ? "accepted" : "refused (" + w.errno() + ")",
                                    predicted ? "accepted" : "refused"));
                        }
                    }
                    assertThat(wrong).as("%s set %s <- %s", e.file(), t.set(), t.label()).isEmpty();
                }));
            }
        }
        return tests.stream();
    }

    @Test
    void theEvidenceHasTrialsOnEveryHost() {
        long withTrials = Evidence.all().stream().filter(e -> !e.capture().trials().isEmpty()).count();
        assertThat(withTrials).as("captures with value trials").isGreaterThanOrEqualTo(Evidence.all().size() / 2);
    }
}
