package dev.regshim.explain;

import dev.regshim.cli.Cli;
import dev.regshim.cpreg.Accel;
import dev.regshim.cpreg.QemuMessages;
import dev.regshim.cpreg.QemuMessages.Dialect;
import dev.regshim.explain.Finding.Kind;
import dev.regshim.regs.RegId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Each release's dialect, the lines regshim's own model prints, and hostile input. */
class ExplainerTest {

    static final String P = QemuMessages.PROGRAM_PREFIX;

    static Explanation explain(String log) {
        return Explainer.explain(QemuLog.parse(log.getBytes(StandardCharsets.UTF_8)));
    }

    static List<Kind> kinds(String log) {
        return explain(log).findings().stream().map(Finding::kind).toList();
    }

    static String lines(List<String> messages) {
        StringBuilder b = new StringBuilder();
        messages.forEach(m -> b.append(P).append(m).append('\n'));
        return b.toString();
    }

    @Test
    void everyFailureRegshimsModelPrintsIsExplained() {
        RegId tcr2 = RegId.sysreg(3, 0, 2, 0, 3);
        for (Dialect d : Dialect.values()) {
            assertThat(kinds(lines(QemuMessages.machineMismatchLines(d, "virt-11.1", "virt-7.2")))).containsExactly(Kind.MACHINE_TYPE);
            assertThat(kinds(lines(QemuMessages.unknownRamBlockLines(d, "mach-virt.ram2")))).containsExactly(Kind.RAM);
            assertThat(kinds(lines(QemuMessages.ramSizeMismatchLines(d, "mach-virt.ram", 0x4000000, 0x8000000)))).containsExactly(Kind.RAM);
            assertThat(kinds(lines(QemuMessages.unknownSectionLines(d, "cpu", 1)))).containsExactly(Kind.UNKNOWN_SECTION);
            assertThat(kinds(lines(QemuMessages.unsupportedVersionLines(d, 23, "cpu", 22)))).containsExactly(Kind.SECTION_VERSION);
            assertThat(kinds(lines(QemuMessages.missingFooterLines(d, "cpu", 5)))).containsExactly(Kind.DEVICE_LAYOUT);
        }
        List<String> stock = new ArrayList<>(List.of(QemuMessages.invalidLength(304, 258), QemuMessages.failedToLoadLength()));
        stock.addAll(QemuMessages.cpuPostLoadFailed(Dialect.SEPARATE_LINES, 0, QemuMessages.EINVAL));
        assertThat(kinds(lines(stock))).containsExactly(Kind.TOO_MANY_REGISTERS);
        assertThat(kinds(lines(QemuMessages.cpuPostLoadFailed(Dialect.SEPARATE_LINES, 0, QemuMessages.EPERM))))
                .containsExactly(Kind.UNNAMED_REGISTER);
        List<String> v111 = new ArrayList<>(List.of(QemuMessages.warnMissing111(RegId.sysreg(3, 0, 13, 0, 4), Accel.KVM),
                QemuMessages.errorOnlyIncoming111(tcr2, Accel.KVM), QemuMessages.errorOnlyIncoming111(RegId.fwFeatBmap(3), Accel.TCG)));
        v111.addAll(QemuMessages.cpuPostLoadFailed(Dialect.CHAINED, 0, QemuMessages.EINVAL));
        Explanation x = explain(lines(v111));
        assertThat(x.findings()).extracting(Finding::kind).containsExactly(Kind.UNKNOWN_REGISTERS, Kind.MISSING_REGISTERS);
        assertThat(x.findings().get(0).registers()).extracting(Finding.NamedRegister::name)
                .containsExactly("TCR2_EL1", "KVM_REG_ARM_VENDOR_HYP_BMAP_2");
        assertThat(x.findings().get(1).registers()).extracting(Finding.NamedRegister::name).containsExactly("TPIDR_EL1");
        assertThat(kinds(lines(List.of(QemuMessages.traceTolerateMissing111(tcr2, Accel.KVM),
                QemuMessages.traceTolerateOnlyIncoming111(RegId.fwFeatBmap(3), Accel.KVM))))).containsExactly(Kind.TOLERATED_REGISTERS);
        assertThat(kinds(lines(QemuMessages.kvmPutFailed(0, QemuMessages.EINVAL)))).containsExactly(Kind.KVM_REFUSED);
        assertThat(kinds(P + QemuMessages.wfxtTimerAbort() + "\n")).containsExactly(Kind.ABORT);
    }

    @Test
    void theSeriesTracesNameTheirRegistersAndGiveTheProperties() {
        RegId tcr2 = RegId.sysreg(3, 0, 2, 0, 3);
        RegId pir = RegId.sysreg(3, 0, 10, 2, 3);
        String v1 = lines(List.of(QemuMessages.kvmUnexpected(0, tcr2), QemuMessages.traceKvmMissing(pir),
                QemuMessages.errorLoadingDevice(0, "cpu"), QemuMessages.loadFailed(QemuMessages.EINVAL)));
        Explanation x = explain(v1);
        Finding f = x.findings().get(0);
        assertThat(f.kind()).isEqualTo(Kind.SERIES_UNEXPECTED);
        assertThat(f.registers()).extracting(Finding.NamedRegister::name).containsExactly("TCR2_EL1");
        assertThat(f.fixes().get(0)).isEqualTo("-global driver=arm-cpu,property=kvm-enforced-regs,value=0x603000000013c103"
                + "   # on the destination: accept them, drop their values");
        assertThat(x.findings()).extracting(Finding::kind).contains(Kind.MISSING_REGISTERS);
        assertThat(x.dialect()).contains("series");

        String v2 = String.join("\n", QemuMessages.traceLen(300, 302), QemuMessages.traceUnexpected(301, tcr2, 299),
                QemuMessages.traceUnexpected(302, pir, 299), QemuMessages.traceMissingAsExpected(12, RegId.fwFeatBmap(3), 11),
                QemuMessages.traceMissing(5, RegId.sysreg(3, 0, 13, 0, 4), 6)) + "\n";
        Explanation y = explain(v2);
        Finding u = y.findings().get(0);
        assertThat(u.kind()).isEqualTo(Kind.SERIES_UNEXPECTED);
        assertThat(u.fixes().get(0)).startsWith("-global driver=arm-cpu,property=x-mig-safe-missing-regs,"
                + "value=0x603000000013c103,,0x603000000013c513");
        assertThat(y.findings()).extracting(Finding::kind)
                .contains(Kind.MISSING_REGISTERS, Kind.TOLERATED_REGISTERS, Kind.REGISTER_COUNTS);
    }

    @Test
    void aLogCutAfterThePostLoadLineIsExplainedByThatLine() {
        // fuzz finding: the 11.1 post-load line alone (the 'load of migration failed' prefix cut away) had no evidence
        String log = "warning: Machine type 'virt-7.2' is deprecated\r\n"
                + "qemu-system-aarch64or while loading state for instance 0x0 of de0xvice 'cpu': post load hook failed "
                + "for: cpu, version_id: 22, minimum_version: 22, ret: -1\r\n";
        Explanation x = explain(log);
        assertThat(x.findings()).extracting(Finding::kind).containsExactly(Kind.CPU_POST_LOAD);
        assertThat(x.findings().get(0).firstLine()).isEqualTo(2);
    }

    @Test
    void kvmValueRefusalNamesTheRegisterAndBothValues() {
        String log = P + QemuMessages.couldNotSet("system register op0:3 op1:0 crn:0 crm:4 op2:0", 0x1100000011111111L, 0x1100000011111112L)
                + "\n" + lines(QemuMessages.kvmPutFailed(0, QemuMessages.EINVAL));
        Explanation x = explain(log);
        assertThat(x.findings()).hasSize(1);
        Finding f = x.findings().get(0);
        assertThat(f.kind()).isEqualTo(Kind.KVM_REFUSED);
        assertThat(f.registers()).extracting(Finding.NamedRegister::name).containsExactly("ID_AA64PFR0_EL1");
        assertThat(f.cause()).contains("0x1100000011111111 (KVM keeps 0x1100000011111112)").contains("(Invalid argument)");
    }

    @Test
    void prefixesTimestampsAndUnrelatedLinesDoNotMatter() {
        String log = "2026-12-03 10:00:00.000+0000: 1234: info : libvirt version: 10.0.0\n"
                + "2026-12-03 10:00:00.000+0000: starting up\n"
                + "LC_ALL=C PATH=/usr/bin QEMU_AUDIO_DRV=none /usr/bin/qemu-system-aarch64 -name guest=vm1\n"
                + "2026-12-03T10:00:01.123456Z qemu-system-aarch64: Invalid value 304 expecting positive value <= 258\r\n"
                + "Dec 03 10:00:01 host qemu-kvm[4242]: Failed to load cpu:cpreg_vmstate_array_len\n"
                + "/usr/libexec/qemu-kvm: error while loading state for instance 0x0 of device 'cpu'\n"
                + "qemu-system-aarch64: load of migration failed: Invalid argument\n"
                + "2026-12-03 10:00:02.000+0000: shutting down, reason=failed";
        Explanation x = explain(log);
        assertThat(x.findings()).extracting(Finding::kind).containsExactly(Kind.TOO_MANY_REGISTERS);
        assertThat(x.findings().get(0).firstLine()).isEqualTo(4);
        assertThat(x.findings().get(0).quote()).isEqualTo("Invalid value 304 expecting positive value <= 258");
        assertThat(x.findings().get(0).cause()).contains("(304 sent, 258 on the destination: 46 more)");
        assertThat(x.log().lines()).isEqualTo(8);
    }

    @Test
    void unknownCommandAndOtherErrnos() {
        assertThat(explain(P + "MIG_CMD 0xb unknown (len 0x0)\n" + P + "load of migration failed: Invalid argument\n")
                .findings().get(0).cause()).contains("SWITCHOVER_START");
        Explanation x = explain(P + "error while loading state for instance 0x0 of device 'virtio-net'\n"
                + P + "load of migration failed: Input/output error\n");
        assertThat(x.findings()).extracting(Finding::kind).containsExactly(Kind.LOAD_FAILED);
        assertThat(x.findings().get(0).cause()).contains("device 'virtio-net'").contains("Input/output error");
        assertThat(explain("everything is fine\nguest booted\n").explained()).isFalse();
        assertThat(explain("").explained()).isFalse();
    }

    @Test
    void randomBytesNeverThrowAndStayBounded() {
        Random r = new Random(20261203);
        byte[] words = String.join("\n", "handle_cpreg_only_in_incoming_stream: system register 0x", "Invalid value ",
                " expecting positive value <= ", "Assertion `", "' failed", "load of migration failed: ", "op0:3 op1:",
                "Machine type received is '", "\r", "\u0000", "\u001b[2J", "0x603000000013c103", "fw feat reg ").getBytes(StandardCharsets.UTF_8);
        for (int round = 0; round < 300; round++) {
            byte[] b = new byte[r.nextInt(4000)];
            for (int i = 0; i < b.length; i++) {
                b[i] = r.nextInt(3) == 0 ? (byte) r.nextInt(256) : words[r.nextInt(words.length)];
            }
            QemuLog log = QemuLog.parse(b);
            Explainer.explain(log);
            assertThat(log.events().size()).isLessThanOrEqualTo(QemuLog.MAX_EVENTS);
        }
    }

    @Test
    void hugeLinesAreReadInPartAndManyEventsAreCounted() {
        byte[] huge = new byte[20 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) 'a');
        byte[] tail = ("\n" + P + "Invalid value 9 expecting positive value <= 8\n").getBytes(StandardCharsets.UTF_8);
        byte[] all = java.util.Arrays.copyOf(huge, huge.length + tail.length);
        System.arraycopy(tail, 0, all, huge.length, tail.length);
        QemuLog log = QemuLog.parse(all);
        assertThat(log.cutLines()).isEqualTo(1);
        assertThat(log.events()).extracting(LogEvent::signal).containsExactly(LogEvent.Signal.LENGTH_CHECK);

        StringBuilder many = new StringBuilder();
        for (int i = 0; i < QemuLog.MAX_EVENTS + 500; i++) {
            many.append(P).append("handle_cpreg_only_in_incoming_stream: system register 0x1013c103 in the incoming stream\n");
        }
        QemuLog big = QemuLog.parse(many.toString().getBytes(StandardCharsets.UTF_8));
        assertThat(big.events()).hasSize(QemuLog.MAX_EVENTS);
        assertThat(big.eventsDropped()).isEqualTo(500);
        assertThat(Explainer.explain(big).findings().get(0).registers()).hasSize(1);
    }

    @Test
    void cliEscapesControlCharactersAndExitsOneWhenNothingIsRecognised(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("q.log");
        Files.writeString(log, P + "Machine type received is 'virt-\u001b[31m11.1' and local is 'virt-7.2'\n"
                + P + "load of migration failed: Invalid argument\n");
        Cli.Run r = Cli.run("explain", log.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("virt-\\x1b[31m11.1").doesNotContain("\u001b");
        Path none = dir.resolve("none.log");
        Files.writeString(none, "booting\nhello\n");
        Cli.Run n = Cli.run("explain", none.toString());
        assertThat(n.exit()).isEqualTo(1);
        assertThat(n.out().strip()).isEqualTo("nothing recognised in " + none + " (2 lines): no QEMU migration error, "
                + "warning or register line");
        Cli.Run missing = Cli.run("explain", dir.resolve("absent.log").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).startsWith("regshim: no such file: ");
    }
}
