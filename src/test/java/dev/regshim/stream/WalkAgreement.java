package dev.regshim.stream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** For tests outside this package: a stream's two device walks (vmdesc sizes, known layout) must agree. */
public final class WalkAgreement {

    private WalkAgreement() {
    }

    /** Asserts that reading {@code stream} with and without its vmdesc gives the same sections, vCPUs and registers. */
    public static void assertWalksAgree(Path stream) {
        try {
            byte[] bytes = Files.readAllBytes(stream);
            StreamSummary withVmdesc = StreamReader.summarize(new ByteArrayInputStream(bytes), ReadOptions.defaults());
            StreamSummary byLayout = StreamReader.summarize(new ByteArrayInputStream(bytes),
                    ReadOptions.defaults().withIgnoreVmdesc(true));
            assertThat(Describe.summary(byLayout, false)).as(stream.toString())
                    .isEqualTo(Describe.summary(withVmdesc, false));
            assertThat(byLayout.cpus()).hasSameSizeAs(withVmdesc.cpus());
            for (int i = 0; i < withVmdesc.cpus().size(); i++) {
                assertThat(byLayout.cpus().get(i).sameContent(withVmdesc.cpus().get(i))).as(stream + " cpu " + i).isTrue();
                assertThat(Describe.cpu(byLayout.cpus().get(i))).isEqualTo(Describe.cpu(withVmdesc.cpus().get(i)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
