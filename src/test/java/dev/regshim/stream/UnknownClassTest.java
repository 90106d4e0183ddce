package dev.regshim.stream;

import dev.regshim.profile.Profile;
import dev.regshim.profile.source.ProfileSources;
import dev.regshim.regs.CpregArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** A register of a class regshim does not know (a future kernel's) is read, kept and written back, never dropped. */
class UnknownClassTest {

    /** arm64, U64, coprocessor 0x0017: not a class any kernel read here lists. */
    static final long FUTURE = 0x6030000000170001L;

    @TempDir
    Path dir;

    @Test
    void unknownClassRegistersSurviveReadAndWrite() throws Exception {
        Path original = dir.resolve("max.mig");
        Files.write(original, Fixtures.stream("qemu-7.2/max"));
        StreamSummary s = StreamReader.summarize(original, ReadOptions.defaults());
        CpuSection cpu = s.cpus().get(0);
        long[] ids = Arrays.copyOf(cpu.ids(), cpu.cpregCount() + 1);
        long[] values = Arrays.copyOf(cpu.values(), cpu.cpregCount() + 1);
        ids[ids.length - 1] = FUTURE;
        values[values.length - 1] = 0x42;
        Path out = dir.resolve("future.mig");
        try (OutputStream o = Files.newOutputStream(out)) {
            StreamTransformer.of(c -> CpregReplacement.of(ids, values)).transform(original, o);
        }
        Profile p = ProfileSources.resolve(out.toString());
        CpregArray read = p.vcpus().get(0).cpregs();
        assertThat(read.ids()).endsWith(FUTURE);
        assertThat(read.valueOf(dev.regshim.regs.RegId.of(FUTURE))).hasValue(0x42);
        assertThat(dev.regshim.regs.RegCatalog.get().name(dev.regshim.regs.RegId.of(FUTURE))).isEqualTo("0x6030000000170001");
    }
}
