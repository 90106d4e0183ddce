package dev.regshim.cpreg;

import dev.regshim.RegshimException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QemuReleaseTest {

    static QemuRelease r(String s) {
        return QemuRelease.parse(s);
    }

    @Test
    void parsesWhatUsersType() {
        assertThat(r("7.2")).isEqualTo(QemuRelease.V7_2);
        assertThat(r("10.0.13")).isEqualTo(QemuRelease.V10_0);
        assertThat(r("11.1.3+ds-2~bpo13+1")).isEqualTo(QemuRelease.V11_1);
        assertThat(r("8.x")).isEqualTo(new QemuRelease(8, 0));
        assertThat(r("9")).isEqualTo(new QemuRelease(9, 0));
        assertThat(r("v12.0")).isEqualTo(new QemuRelease(12, 0));
        for (String bad : new String[] {"", "abc", "7.2.2.2.2", "x.1", "-1", "1".repeat(100)}) {
            assertThatThrownBy(() -> r(bad)).as(bad).isInstanceOf(RegshimException.class).hasMessageContaining("--to-qemu");
        }
    }

    @Test
    void unobservedReleasesAreModelledAsTheObservedOneBeforeAndSaySo() {
        assertThat(r("8.2").modelledAs()).isEqualTo(QemuRelease.V7_2);
        assertThat(r("10.2").modelledAs()).isEqualTo(QemuRelease.V10_0);
        assertThat(r("12.0").modelledAs()).isEqualTo(QemuRelease.V11_1);
        assertThat(r("6.2").modelledAs()).isEqualTo(QemuRelease.V7_2);
        assertThat(QemuRelease.V10_0.assumption()).isEmpty();
        assertThat(r("10.1").assumption()).get().asString().contains("not observed").contains("modelled as 10.0");
        assertThat(r("12.0").assumption()).get().asString().contains("newer than any observed");
    }

    @Test
    void semanticsAndDialectFollowTheRelease() {
        assertThat(r("11.0").cpregSemantics()).isEqualTo(Semantics.QEMU_STOCK);
        assertThat(r("11.1").cpregSemantics()).isEqualTo(Semantics.QEMU_11_1);
        assertThat(r("12.0").cpregSemantics()).isEqualTo(Semantics.QEMU_11_1);
        assertThat(r("10.0").dialect()).isEqualTo(QemuMessages.Dialect.SEPARATE_LINES);
        assertThat(r("11.1").dialect()).isEqualTo(QemuMessages.Dialect.CHAINED);
    }

    @Test
    void subsectionsEachReleaseKnows() {
        assertThat(QemuRelease.V7_2.knowsSubsection("cpu/vfp")).isTrue();
        assertThat(QemuRelease.V7_2.knowsSubsection("cpu/wfxt-timer")).isFalse();
        assertThat(QemuRelease.V10_0.knowsSubsection("cpu/wfxt-timer")).isTrue();
        assertThat(QemuRelease.V7_2.knowsSubsection("arm_gicv3_cpu/nmi")).isFalse();
        assertThat(QemuRelease.V10_0.knowsSubsection("arm_gicv3_cpu/nmi")).isTrue();
        assertThat(QemuRelease.V10_0.knowsSubsection("cpu/fpmr")).isFalse();
        assertThat(QemuRelease.V11_1.knowsSubsection("cpu/fpmr")).isTrue();
        // known to arrive with 10.2, between observed releases
        assertThat(r("10.1").knowsSubsection("cpu/syndrome64")).isFalse();
        assertThat(r("10.2").knowsSubsection("cpu/syndrome64")).isTrue();
        // iwmmxt left with 11.1; a name no observed release has is unknown to all
        assertThat(QemuRelease.V11_1.knowsSubsection("cpu/iwmmxt")).isFalse();
        assertThat(QemuRelease.V11_1.knowsSubsection("cpu/sysreg128")).isFalse();
        assertThat(QemuRelease.V7_2.knowsSubsection("arm_gic_virt_state")).isTrue();
        assertThat(QemuRelease.earliestSender("cpu/fpmr")).isEqualTo(r("10.1"));
        assertThat(QemuRelease.earliestSender("cpu/wfxt-timer")).isEqualTo(r("8.0"));
        assertThat(QemuRelease.earliestSender("cpu/syndrome64")).isEqualTo(r("10.2"));
    }

    /** Every subsection any bundled stream carries is known to the release that saved it (the table is complete). */
    @Test
    void everySubsectionOfEveryFixtureIsKnownToItsRelease() throws Exception {
        int checked = 0;
        for (dev.regshim.stream.Fixtures.Fixture f : dev.regshim.stream.Fixtures.all()) {
            QemuRelease release = r(f.qemu().substring("qemu-".length()));
            dev.regshim.profile.Profile p = dev.regshim.profile.source.StreamProfiles.fromSummary(
                    dev.regshim.stream.StreamReader.summarize(new java.io.ByteArrayInputStream(f.bytes()),
                            dev.regshim.stream.ReadOptions.defaults()), f.name(), "stream");
            for (dev.regshim.profile.Profile.SectionRef s : p.sections()) {
                for (dev.regshim.profile.Profile.Subsection sub
                        : s.subsections() == null ? java.util.List.<dev.regshim.profile.Profile.Subsection>of() : s.subsections()) {
                    String name = sub.name();
                    assertThat(release.knowsSubsection(name)).as(f.name() + " " + s.idstr() + " " + sub).isTrue();
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(100);
    }

    @Test
    void wfxtTimerAbortsOnlyBetweenItsArrivalAnd111() {
        assertThat(QemuRelease.V7_2.abortsOnWfxtTimerWithoutFeature()).isFalse();
        assertThat(QemuRelease.V10_0.abortsOnWfxtTimerWithoutFeature()).isTrue();
        assertThat(r("11.0").abortsOnWfxtTimerWithoutFeature()).isTrue();
        assertThat(QemuRelease.V11_1.abortsOnWfxtTimerWithoutFeature()).isFalse();
    }

    @Test
    void startUpLinesForMachineTypes() {
        String deprecated = "warning: Machine type 'virt-7.0' is deprecated: machines more than 3 years old are subject "
                + "to deletion after 6 years";
        assertThat(QemuRelease.V10_0.deprecationWarning("virt-7.0")).contains(deprecated);
        assertThat(QemuRelease.V10_0.deprecationWarning("virt-7.1")).isEmpty();
        assertThat(QemuRelease.V11_1.deprecationWarning("virt-8.1")).isPresent();
        assertThat(QemuRelease.V11_1.deprecationWarning("virt-8.2")).isEmpty();
        assertThat(QemuRelease.V7_2.deprecationWarning("virt-2.6")).isEmpty();
        assertThat(QemuRelease.V11_1.deprecationWarning("virt")).isEmpty();
        assertThat(QemuRelease.V10_0.unsupportedMachineLines("virt-11.1"))
                .containsExactly("unsupported machine type: \"virt-11.1\"", "Use -machine help to list supported machines");
        assertThat(QemuRelease.V7_2.unsupportedMachineLines("virt-10.0"))
                .containsExactly("unsupported machine type", "Use -machine help to list supported machines");
        assertThat(QemuRelease.V11_1.unsupportedMachineLines("virt-5.1")).hasSize(2);
        assertThat(QemuRelease.V11_1.unsupportedMachineLines("virt-5.2")).isEmpty();
        assertThat(QemuRelease.V10_0.unsupportedMachineLines("virt-2.6")).isEmpty();
        assertThat(QemuRelease.V7_2.unsupportedMachineLines("virt-7.2")).isEmpty();
    }

    @Test
    void rangesRecordedAndAssumed() {
        assertThat(ReleaseRange.ofRecorded("11.1.3").exact()).isTrue();
        assertThat(ReleaseRange.ofRecorded("9.0..11.0").recorded()).isEqualTo("9.0..11.0");
        assertThat(ReleaseRange.ofRecorded(">=11.1").recorded()).isEqualTo(">=11.1");
        assertThat(ReleaseRange.ofRecorded("<=8.2").recorded()).isEqualTo("<=8.2");
        assertThat(ReleaseRange.ofRecorded("junk").known()).isFalse();
        assertThat(ReleaseRange.ofRecorded(null).known()).isFalse();
        // between 10.0 and 11.1's tolerances the cautious stock model is assumed; ambiguity is reported
        ReleaseRange open = ReleaseRange.ofRecorded(">=10.0");
        assertThat(open.assumed()).contains(QemuRelease.V10_0);
        assertThat(open.ambiguous()).isTrue();
        assertThat(ReleaseRange.ofRecorded("9.0..11.0").assumed()).contains(QemuRelease.V10_0);
        assertThat(ReleaseRange.ofRecorded("7.2..8.2").assumed()).contains(QemuRelease.V7_2);
        assertThat(ReleaseRange.ofRecorded("7.2..8.2").ambiguous()).isFalse();
        assertThat(ReleaseRange.ofRecorded(">=11.1").assumed()).contains(QemuRelease.V11_1);
    }

    @Test
    void destinationReleaseSaysWhereItCameFrom() {
        assertThat(DestinationRelease.resolve("10.0", ">=11.1").contradiction()).get().asString()
                .contains("--to-qemu 10.0").contains(">=11.1");
        assertThat(DestinationRelease.resolve("11.1", ">=11.1").contradiction()).isEmpty();
        assertThat(DestinationRelease.resolve(null, "11.1.3").source()).isEqualTo(DestinationRelease.Source.RECORDED);
        assertThat(DestinationRelease.resolve(null, "9.0..11.0").describe()).contains("assumed").contains("--to-qemu");
        assertThat(DestinationRelease.resolve(null, null).known()).isFalse();
        assertThat(DestinationRelease.resolve(null, null).describe()).contains("unknown");
        assertThat(DestinationRelease.resolve("11.1", null).semantics()).isEqualTo(Semantics.QEMU_11_1);
    }
}
