package dev.regshim.proxy;

import dev.regshim.qemu.IncomingResult;
import dev.regshim.qemu.MigrationResult;
import dev.regshim.qemu.QemuProcess;
import dev.regshim.rewrite.Policy;
import dev.regshim.stream.ReadOptions;
import dev.regshim.stream.StreamReader;
import dev.regshim.stream.VmCommand;
import dev.regshim.testing.Continuity;
import dev.regshim.testing.QemuTestSupport;
import dev.regshim.testing.SerialLog;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.regshim.proxy.QemuRig.config;
import static org.assertj.core.api.Assertions.assertThat;

/** The proxy between two QEMU 10.0 (virt-10.0 streams carry SWITCHOVER_START; its return path is the same). */
@Tag("qemu")
class ProxyQemu10Test {

    @TempDir
    Path tmp;

    @Test
    void aRunningGuestMigratesBetweenQemu10sThroughTheProxy() throws Exception {
        QemuRig rig = new QemuRig(tmp, QemuTestSupport.requireQemu10());
        List<String> src = config("max,pauth=off", 1);
        List<String> dst = config("max", 1);
        Path profile = rig.profile(dst);
        assertThat(StreamReader.summarize(profile, ReadOptions.defaults()).commands())
                .anyMatch(c -> c.cmd() == VmCommand.SWITCHOVER_START);
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
            assertThat(r.registersChanged()).isEqualTo(11);
            IncomingResult in = QemuRig.incoming(destination);
            assertThat(in.runState()).as(in.summary()).isEqualTo("running");
            SerialLog.awaitLines(dstLog, QemuRig.LINES, QemuRig.TIMEOUT);
            destination.stop();
            Continuity.Report c = Continuity.check(srcLog, dstLog, true);
            assertThat(c.ok()).as(c.problem()).isTrue();
        }
    }
}
