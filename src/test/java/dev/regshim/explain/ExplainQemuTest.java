package dev.regshim.explain;

import dev.regshim.cli.Cli;
import dev.regshim.explain.Finding.Kind;
import dev.regshim.qemu.QemuBinary;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;
import dev.regshim.testing.QemuLoads;
import dev.regshim.testing.QemuTestSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code regshim explain} on what real QEMU 7.2, 10.0 and 11.1 print when a load fails: streams saved by one release
 * are loaded into another (or another CPU model), and the explanation must name the registers, the cause and the
 * fix QEMU's own lines imply.
 */
@Tag("qemu")
class ExplainQemuTest {

    @TempDir
    static Path dir;
    static QemuBinary q72;
    static QemuBinary q10;
    static QemuBinary q11;
    static Path max72;
    static Path a57v72from11;

    @BeforeAll
    static void save() {
        q72 = QemuTestSupport.requireQemu();
        q10 = QemuTestSupport.requireQemu10();
        q11 = QemuTestSupport.requireQemu11();
        max72 = dir.resolve("max72.mig");
        QemuLoads.save(q72, List.of("-M", "virt", "-cpu", "max"), max72);
        a57v72from11 = dir.resolve("a57-v72-11.mig");
        QemuLoads.save(q11, List.of("-M", "virt-7.2", "-cpu", "cortex-a57"), a57v72from11);
    }

    static Explanation explain(QemuLoads.Load load) {
        assertThat(load.result().loaded()).as(load.log()).isFalse();
        return Explainer.explain(QemuLog.parse(load.log().getBytes(StandardCharsets.UTF_8)));
    }

    static Finding only(Explanation x, Kind kind) {
        assertThat(x.findings()).as(x.toString()).extracting(Finding::kind).contains(kind);
        return x.findings().stream().filter(f -> f.kind() == kind).findFirst().orElseThrow();
    }

    static List<String> names(Finding f) {
        return f.registers().stream().map(Finding.NamedRegister::name).toList();
    }

    @Test
    void qemu111NamesEveryUnknownRegisterAndBothBanksOfOneKey() {
        QemuLoads.Load load = QemuLoads.load(q11, List.of("-M", "virt-7.2", "-cpu", "cortex-a57"), max72);
        Explanation x = explain(load);
        Finding f = only(x, Kind.UNKNOWN_REGISTERS);
        assertThat(f.fatal()).isTrue();
        long lines = load.stderr().stream().filter(l -> l.contains("handle_cpreg_only_in_incoming_stream")).count();
        assertThat(f.registers()).hasSize((int) lines).hasSizeGreaterThan(10);
        // 11.1 prints the cpreg key 0x200f3a00 for PAR; it stands for PAR and its Secure bank PAR_S
        assertThat(names(f)).contains("PAR or PAR_S", "APIAKEYLO_EL1", "ZCR_EL1");
        assertThat(f.fixes()).anyMatch(s -> s.startsWith("regshim rewrite SAVED OUT --to DEST --hide ") && s.contains("APIAKEYLO_EL1"));
        assertThat(x.dialect()).contains("QEMU 11.1");
        assertThat(x.findings()).extracting(Finding::kind).contains(Kind.MISSING_REGISTERS);
        Finding missing = only(x, Kind.MISSING_REGISTERS);
        assertThat(missing.fatal()).isFalse();
        assertThat(names(missing)).contains("OSDTRRX_EL1");
    }

    @Test
    void qemu72LengthCheckGivesTheCountsAndTheCommandsThatNameTheRegisters() {
        Explanation x = explain(QemuLoads.load(q72, List.of("-M", "virt", "-cpu", "cortex-a57"), max72));
        Finding f = only(x, Kind.TOO_MANY_REGISTERS);
        assertThat(f.cause()).containsPattern("\\(\\d+ sent, \\d+ on the destination: \\d+ more\\)");
        assertThat(f.fixes()).anyMatch(s -> s.startsWith("regshim check --from SAVED --to DEST"));
        assertThat(x.dialect()).isEqualTo("QEMU 7.2-11.0 (one line per layer)");
        assertThat(x.findings()).hasSize(1);
    }

    @Test
    void qemu72BareEpermIsExplainedWithoutInventingRegisters() {
        Path a57 = dir.resolve("a57-72.mig");
        QemuLoads.save(q72, List.of("-M", "virt", "-cpu", "cortex-a57"), a57);
        Explanation x = explain(QemuLoads.load(q72, List.of("-M", "virt", "-cpu", "cortex-a53"), a57));
        Finding f = only(x, Kind.UNNAMED_REGISTER);
        assertThat(f.registers()).isEmpty();
        assertThat(f.cause()).contains("EPERM");
    }

    @Test
    void qemu100AbortOnTheWfxtTimerOfA111Stream() {
        QemuLoads.Load load = QemuLoads.load(q10, List.of("-M", "virt-7.2", "-cpu", "cortex-a57"), a57v72from11);
        assertThat(load.result().exitCode()).hasValue(134);
        Finding f = only(explain(load), Kind.ABORT);
        assertThat(f.cause()).contains("cpu/wfxt-timer").contains("exit 134");
        assertThat(f.fixes().get(0)).contains("QEMU 11.1 or later");
    }

    @Test
    void qemu72EnoentForTheSubsectionItDoesNotKnow() {
        // a stream 11.1 saved, rewritten to 7.2's register list: 7.2 passes the registers and meets cpu/wfxt-timer
        Path a57v72 = dir.resolve("a57-v72-72.mig");
        QemuLoads.save(q72, List.of("-M", "virt-7.2", "-cpu", "cortex-a57"), a57v72);
        Path rewritten = dir.resolve("rewritten.mig");
        // regshim knows 7.2 cannot take the subsection and refuses; told the destination is 11.1 (which knows it),
        // it writes the stream this test needs
        Cli.Run refused = Cli.run("rewrite", a57v72from11.toString(), rewritten.toString(), "--to", a57v72.toString(),
                "--policy", "force");
        assertThat(refused.exit()).as(refused.all()).isEqualTo(1);
        assertThat(refused.all()).contains("cpu/wfxt-timer");
        Cli.Run r = Cli.run("rewrite", a57v72from11.toString(), rewritten.toString(), "--to", a57v72.toString(),
                "--policy", "force", "--to-qemu", "11.1", "--semantics", "qemu-stock");
        assertThat(r.exit()).as(r.all()).isZero();
        QemuLoads.Load load = QemuLoads.load(q72, List.of("-M", "virt-7.2", "-cpu", "cortex-a57"), rewritten);
        Explanation x = explain(load);
        Finding f = only(x, Kind.UNKNOWN_SUBSECTION);
        assertThat(f.cause()).contains("device 'cpu'").contains("ENOENT");
        assertThat(x.dialect()).contains("QEMU 7.2");
    }

    @Test
    void machineTypeAndNotAStreamInBothDialects() {
        Path max10 = dir.resolve("max10.mig");
        QemuLoads.save(q10, List.of("-M", "virt", "-cpu", "max"), max10);
        Finding m = only(explain(QemuLoads.load(q72, List.of("-M", "virt", "-cpu", "max"), max10)), Kind.MACHINE_TYPE);
        assertThat(m.cause()).contains("'virt-10.0'").contains("'virt-7.2'");
        assertThat(m.fixes().get(0)).startsWith("start the destination with -machine virt-10.0");
        Path junk = dir.resolve("junk.bin");
        try {
            java.nio.file.Files.writeString(junk, "not a stream at all\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (QemuBinary q : List.of(q72, q11)) {
            Explanation x = explain(QemuLoads.load(q, List.of("-M", "virt", "-cpu", "max"), junk));
            assertThat(x.findings()).extracting(Finding::kind).containsExactly(Kind.NOT_A_STREAM);
        }
    }

    @Test
    void theCliExplainsARealLogWithLibvirtTimestampsAndCrlf() throws Exception {
        QemuLoads.Load load = QemuLoads.load(q11, List.of("-M", "virt-7.2", "-cpu", "cortex-a57"), max72);
        StringBuilder libvirt = new StringBuilder("2026-12-03 10:00:00.000+0000: starting up libvirt version: 10.0.0\r\n");
        for (String l : load.stderr()) {
            libvirt.append("2026-12-03T10:00:01.123456Z ").append(l).append("\r\n");
        }
        libvirt.append("2026-12-03 10:00:02.000+0000: shutting down, reason=failed\r\n");
        Path log = dir.resolve("guest.log");
        java.nio.file.Files.writeString(log, libvirt);
        Cli.Run r = Cli.run("explain", log.toString());
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("error unknown-registers").contains("0x40200000200f3a00  PAR")
                .contains("or 0x40200000000f3a00  PAR_S: QEMU prints both banks with the key 0x200f3a00")
                .doesNotContain("\r");
        Cli.Run json = Cli.run("explain", "--json", log.toString());
        assertThat(json.exit()).isZero();
        com.fasterxml.jackson.databind.JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out());
        assertThat(j.get("explained").asBoolean()).isTrue();
        assertThat(j.get("findings").get(0).get("kind").asText()).isEqualTo("unknown-registers");
        RegId par = RegCatalog.get().lookup("PAR").iterator().next();
        assertThat(json.out()).contains(par.hex());
    }
}
