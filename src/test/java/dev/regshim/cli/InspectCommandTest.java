package dev.regshim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.regshim.stream.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class InspectCommandTest {

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @AfterEach
    void restoreStdin() {
        InspectCommand.stdin = () -> new java.io.FileInputStream(java.io.FileDescriptor.in);
    }

    private int run(String... args) {
        CommandLine cl = Main.newCommandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    private Path fixture(String name) throws Exception {
        Path p = tmp.resolve(name.replace('/', '_') + ".mig");
        Files.write(p, Fixtures.stream(name));
        return p;
    }

    @Test
    void textShowsMachineBlocksSectionsAndVcpus() throws Exception {
        assertThat(run("inspect", fixture("qemu-10.0/max").toString())).isZero();
        String o = out.toString();
        assertThat(o).contains("machine    virt-10.0").contains("page size  4096")
                .contains("vmdesc     12,626 bytes at offset 489477, 16 device entries")
                .containsPattern("mach-virt.ram\\s+67108864\\s+16382\\s+2")
                .containsPattern("467802\\s+10709\\s+FULL\\s+6\\s+cpu\\s+0\\s+22\\s+vmdesc")
                .contains("command    SWITCHOVER_START at offset 467610")
                .contains("cpu 0: 329 cpregs");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void regsListsEveryRegisterByName() throws Exception {
        assertThat(run("inspect", "--regs", fixture("qemu-10.0/running-max").toString())).isZero();
        assertThat(out.toString()).containsPattern("0x603000000013de82  TPIDR_EL0\\s+0x1111222233334444")
                .containsPattern("0x603000000013c681  CONTEXTIDR_EL1\\s+0x0000000012345678");
        long regLines = out.toString().lines().filter(l -> l.startsWith("    0x")).count();
        assertThat(regLines).isEqualTo(329);
    }

    @Test
    void jsonHasEverythingWithHexStrings() throws Exception {
        assertThat(run("inspect", "--json", fixture("qemu-7.2/gen-a57_smp2").toString())).isZero();
        JsonNode j = Json.MAPPER.readTree(out.toString());
        assertThat(j.get("machine_type").asText()).isEqualTo("virt-7.2");
        assertThat(j.get("page_size").asInt()).isEqualTo(4096);
        assertThat(j.get("cpus")).hasSize(2);
        JsonNode cpu1 = j.get("cpus").get(1);
        assertThat(cpu1.get("instance_id").asInt()).isEqualTo(1);
        assertThat(cpu1.get("cpreg_count").asInt()).isEqualTo(258);
        assertThat(cpu1.get("registers")).hasSize(258);
        assertThat(cpu1.get("registers").get(0).get("id").asText()).matches("0x[0-9a-f]{16}");
        assertThat(cpu1.get("registers").get(0).get("value").asText()).matches("0x[0-9a-f]{16}");
        assertThat(cpu1.get("fields").get("env.pc").asText()).matches("0x[0-9a-f]{16}");
        assertThat(cpu1.get("subsections").get(0).get("name").asText()).isEqualTo("cpu/vfp");
        assertThat(j.get("sections")).hasSize(21);
        assertThat(j.get("ram_blocks").get(0).get("zero_pages").asLong()
                + j.get("ram_blocks").get(0).get("data_pages").asLong()).isEqualTo(16384);
    }

    @Test
    void stdinWithoutVmdescGivesTheSameRegisters() throws Exception {
        byte[] bytes = Fixtures.stream("qemu-7.2/max");
        assertThat(run("inspect", "--json", fixture("qemu-7.2/max").toString())).isZero();
        JsonNode a = Json.MAPPER.readTree(out.toString());
        out.getBuffer().setLength(0);
        InspectCommand.stdin = () -> new ByteArrayInputStream(bytes);
        assertThat(run("inspect", "--json", "--no-vmdesc", "-")).isZero();
        JsonNode b = Json.MAPPER.readTree(out.toString());
        assertThat(b.get("cpus")).isEqualTo(a.get("cpus"));
        assertThat(b.get("sections").get(7).get("walk").asText()).isEqualTo("cpu-layout");
        assertThat(a.get("sections").get(7).get("walk").asText()).isEqualTo("vmdesc");
    }

    @Test
    void fieldsShowsDecodedStateAndSubsections() throws Exception {
        assertThat(run("inspect", "--fields", fixture("qemu-10.0/running-max").toString())).isZero();
        assertThat(out.toString()).contains("env.pc                     0x00000000400800cc")
                .contains("cpu/wfxt-timer v1 (28 bytes)").contains("wfxt_timer               0xffffffffffffffff");
    }

    @Test
    void badInputExitsTwoWithOneLine() throws Exception {
        Path bad = tmp.resolve("bad.mig");
        Files.write(bad, new byte[]{'Q', 'E', 'V', 'M', 0, 0, 0, 3, 0x42});
        assertThat(run("inspect", bad.toString())).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("regshim: " + bad + ": offset 8: unknown section type 0x42" + System.lineSeparator());
        err.getBuffer().setLength(0);
        assertThat(run("inspect", tmp.resolve("missing.mig").toString())).isEqualTo(2);
        assertThat(err.toString()).startsWith("regshim: cannot read ").contains("no such file");
    }
}
