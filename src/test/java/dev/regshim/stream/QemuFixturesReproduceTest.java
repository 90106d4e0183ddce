package dev.regshim.stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Regenerates every committed QEMU 7.2 fixture (gen-manifest.tsv) with the installed QEMU at test time and checks
 * that the fresh stream carries the cpreg counts of qemu-oracle.md section 2 and the same sections and cpu state as
 * the committed one (streams of one configuration differ only in RAM: the DTB's random seeds).
 */
@Tag("qemu")
class QemuFixturesReproduceTest {

    @TempDir
    static Path tmp;

    @BeforeAll
    static void qemu() {
        Qemu.require();
    }

    @Test
    void everyManifestConfigurationReproduces() throws Exception {
        List<FixtureFactsTest.Expected> manifest = FixtureFactsTest.manifest();
        // HMP's migrate waits on a 1 s status timer, so run the saves side by side
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Path>> saves = new ArrayList<>();
        for (FixtureFactsTest.Expected e : manifest) {
            saves.add(pool.submit(() -> {
                Path out = tmp.resolve(e.name() + ".mig");
                List<String> args = new ArrayList<>(List.of(e.args().split(" ")));
                args.removeAll(List.of("-S", "-nodefaults", "-display", "none"));
                Qemu.save(out, args.toArray(String[]::new));
                return out;
            }));
        }
        pool.shutdown();
        for (int i = 0; i < manifest.size(); i++) {
            FixtureFactsTest.Expected e = manifest.get(i);
            Path fresh = saves.get(i).get();
            StreamSummary now = StreamReader.summarize(fresh, ReadOptions.defaults());
            StreamSummary committed = Codec.summary(Fixtures.stream("qemu-7.2/" + e.name()), 0);
            if (!e.cpregs().startsWith("=")) {
                assertThat(now.cpus()).as(e.name()).allMatch(c -> c.cpregCount() == Integer.parseInt(e.cpregs()));
            }
            // QEMU splits RAM into as many PART sections as its 50 ms iteration limit needs (more on a loaded
            // machine), so compare the device sections and the RAM totals, not the RAM section boundaries
            assertThat(deviceSections(now)).as(e.name()).isEqualTo(deviceSections(committed));
            assertThat(now.zeroPages()).as(e.name()).isEqualTo(committed.zeroPages());
            assertThat(now.dataPages()).as(e.name()).isEqualTo(committed.dataPages());
            assertThat(now.cpus()).hasSameSizeAs(committed.cpus());
            for (int c = 0; c < now.cpus().size(); c++) {
                // the section's offset moves with the RAM PART count; its content must not
                assertThat(now.cpus().get(c).encodeBody()).as(e.name()).isEqualTo(committed.cpus().get(c).encodeBody());
            }
            assertThat(now.vmdesc().raw()).as(e.name()).isEqualTo(committed.vmdesc().raw());
            long ramSectionsNow = now.sections().stream().filter(x -> x.type() == WireFormat.SECTION_PART).count();
            long ramSectionsThen = committed.sections().stream().filter(x -> x.type() == WireFormat.SECTION_PART).count();
            // each extra PART costs its 5-byte header, an 8-byte EOS and a 5-byte footer (CONTINUE carries across
            // sections, so no block name is repeated)
            assertThat(Files.size(fresh) - committed.totalBytes()).as(e.name())
                    .isEqualTo((ramSectionsNow - ramSectionsThen) * (5 + 8 + 5));
        }
    }

    /** FULL sections without their offsets (which move with RAM's PART count). */
    static List<String> deviceSections(StreamSummary s) {
        List<String> out = new ArrayList<>();
        for (StreamSummary.SectionInfo x : s.sections()) {
            if (x.type() == WireFormat.SECTION_FULL) {
                out.add(x.sectionId() + " " + x.idstr() + "#" + x.instanceId() + " v" + x.versionId() + " " + x.length() + " " + x.method());
            }
        }
        return out;
    }

}
