package dev.regshim.proxy;

import dev.regshim.cpreg.Semantics;
import dev.regshim.lab.guest.Continuity;
import dev.regshim.lab.guest.SerialLog;
import dev.regshim.policy.Policy;
import dev.regshim.qemu.IncomingResult;
import dev.regshim.qemu.MigrationResult;
import dev.regshim.qemu.QemuProcess;
import dev.regshim.stream.ReadOptions;
import dev.regshim.stream.StreamReader;
import dev.regshim.stream.VmCommand;
import dev.regshim.testing.QemuTestSupport;
import dev.regshim.testing.SerialLogs;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.regshim.proxy.QemuRig.config;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proxy between two QEMU 10.0 and between two QEMU 11.1 (their streams carry SWITCHOVER_START; the return path
 * is the same as 7.2's; 11.1 picks the qemu-11.1 semantics from the destination's capture).
 */
@Tag("qemu")
class ProxyNewerQemuTest {

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "QEMU {0}")
    @ValueSource(strings = {"10.0", "11.1"})
    void aRunningGuestMigratesThroughTheProxy(String series) throws Exception {
        QemuRig rig = new QemuRig(tmp, series.equals("10.0") ? QemuTestSupport.requireQemu10()
                : QemuTestSupport.requireQemu11());
        List<String> src = config("max,pauth=off", 1);
        List<String> dst = config("max", 1);
        Path profile = rig.profile(dst);
        assertThat(StreamReader.summarize(profile, ReadOptions.defaults()).commands())
                .anyMatch(c -> c.cmd() == VmCommand.SWITCHOVER_START);
        assertThat(ProxyTesting.options(ProxyTesting.profile(profile), Policy.STRICT).settings().semantics())
                .isEqualTo(series.equals("11.1") ? Semantics.QEMU_11_1 : Semantics.QEMU_STOCK);
        Path srcLog = tmp.resolve("src.serial");
        Path dstLog = tmp.resolve("dst.serial");
        try (QemuProcess source = rig.source(src, srcLog);
             QemuProcess destination = rig.destination(dst, dstLog, Map.of());
             ProxyTesting.Running proxy = ProxyTesting.Running.start(ProxyTesting.proxyOptions(
                     destination.incomingPort(), ProxyTesting.options(ProxyTesting.profile(profile), Policy.STRICT)))) {
            MigrationResult m = QemuRig.migrate(source, proxy.port(), Map.of("return-path", true));
            SessionResult r = proxy.single(30);
            assertThat(r.outcome()).as(r.reason()).isEqualTo(SessionResult.Outcome.LOADED);
            assertThat(m.status()).isEqualTo("completed");
            assertThat(r.registersChanged()).isEqualTo(11); // the ten pointer-authentication keys and ISAR1
            IncomingResult in = QemuRig.incoming(destination);
            assertThat(in.runState()).as(in.summary()).isEqualTo("running");
            SerialLogs.awaitLines(dstLog, QemuRig.LINES, QemuRig.TIMEOUT);
            destination.stop();
            Continuity.Report c = Continuity.check(srcLog, dstLog, true);
            assertThat(c.ok()).as(c.problem()).isTrue();
        }
    }
}
