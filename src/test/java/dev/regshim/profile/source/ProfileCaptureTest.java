package dev.regshim.profile.source;

import dev.regshim.RegshimException;
import dev.regshim.cli.Main;
import dev.regshim.profile.Profile;
import dev.regshim.profile.ProfileJson;
import dev.regshim.qemu.QemuBinary;
import dev.regshim.qemu.QemuProcess;
import dev.regshim.testing.QemuTestSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Tag("qemu")
class ProfileCaptureTest {

    @TempDir
    Path dir;

    @Test
    void captureEqualsTheStreamTheSameConfigurationSaves() throws Exception {
        QemuBinary qemu = QemuTestSupport.requireQemu();
        List<String> config = List.of("-M", "virt", "-cpu", "max,pauth=off", "-m", "64", "-smp", "2");
        Profile captured = ProfileCapture.capture(
                java.util.stream.Stream.concat(java.util.stream.Stream.of(qemu.path().toString()), config.stream()).toList(),
                Duration.ofSeconds(60));
        Path saved = dir.resolve("saved.mig");
        try (QemuProcess p = QemuProcess.builder(qemu).args(config).args("-S").start()) {
            p.migrateToFile(saved);
        }
        Profile fromStream = ProfileSources.resolve(saved.toString());
        assertThat(captured.vcpus()).hasSize(2);
        for (int i = 0; i < 2; i++) {
            assertThat(captured.vcpus().get(i).cpregs().ids()).containsExactly(fromStream.vcpus().get(i).cpregs().ids());
            assertThat(captured.vcpus().get(i).cpregs().values()).containsExactly(fromStream.vcpus().get(i).cpregs().values());
        }
        assertThat(captured.vcpus().get(0).cpregs().length()).isEqualTo(294);
        assertThat(captured.provenance().cpu()).isEqualTo("max,pauth=off");
        assertThat(captured.provenance().accel()).isEqualTo("tcg");
        assertThat(captured.provenance().qemuVersion()).startsWith("7.2");
        assertThat(captured.machineType()).isEqualTo("virt-7.2");
        assertThat(captured.sections()).isEqualTo(fromStream.sections());
    }

    @Test
    void captureViaTheCliWritesAProfileThatRoundTrips() throws Exception {
        QemuBinary qemu = QemuTestSupport.requireQemu();
        Path out = dir.resolve("host.json");
        StringWriter err = new StringWriter();
        CommandLine cl = Main.newCommandLine();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        int code = cl.execute("profile", "capture", "-o", out.toString(), "--",
                qemu.path().toString(), "-M", "virt", "-cpu", "cortex-a57", "-m", "64");
        assertThat(code).as(err.toString()).isZero();
        assertThat(err.toString()).contains("258 registers with values");
        Profile p = ProfileJson.read(out);
        assertThat(p.vcpus().get(0).cpregs().length()).isEqualTo(258);
        assertThat(ProfileJson.parse(ProfileJson.toJson(p), "again")).isEqualTo(p);
        assertThat(Files.readString(out)).contains("\"format\" : \"regshim-profile/1\"");
    }

    @Test
    void aQemuThatCannotStartIsAClearError() {
        QemuBinary qemu = QemuTestSupport.requireQemu();
        assertThatThrownBy(() -> ProfileCapture.capture(List.of(qemu.path().toString(), "-M", "no-such-machine"),
                Duration.ofSeconds(30)))
                .isInstanceOf(RegshimException.class)
                .hasMessageContaining("capture");
    }
}
