package dev.regshim.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.regshim.RegshimException;
import dev.regshim.regs.RegCatalog;
import dev.regshim.regs.RegId;
import dev.regshim.stream.VmCommand;
import dev.regshim.stream.CpuField;
import dev.regshim.stream.CpuSection;
import dev.regshim.stream.CpuSubsection;
import dev.regshim.stream.ReadOptions;
import dev.regshim.stream.StreamReader;
import dev.regshim.stream.container.SaveImage;
import dev.regshim.stream.container.StreamFiles;
import dev.regshim.stream.StreamSummary;
import dev.regshim.stream.WireFormat;
import dev.regshim.util.Text;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code regshim inspect FILE|-}: what a QEMU migration stream holds, without keeping its RAM. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Show what a QEMU migration stream holds: machine type, page size, RAM blocks, every section "
                + "with offset and length, and each vCPU's cpreg list.",
            "FILE is a raw QEVM stream ('-' reads standard input). RAM is counted, never held in memory."})
public final class InspectCommand implements Callable<Integer> {


    /** Where '-' reads from (the process's standard input; tests substitute it). */
    static java.util.function.Supplier<java.io.InputStream> stdin = () -> new FileInputStream(FileDescriptor.in);

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "migration stream file, or - for standard input")
    String file;

    @Option(names = "--regs", description = "list every cpreg by name with its value")
    boolean regs;

    @Option(names = "--fields", description = "show each vCPU's decoded fields and subsections")
    boolean fields;

    @Option(names = "--json", description = "JSON output (everything, registers included)")
    boolean json;

    @Option(names = "--no-vmdesc", description = "walk device sections without the vmdesc trailer "
            + "(cpu sections by their known layout, others up to their footer)")
    boolean noVmdesc;

    @Option(names = "--xml", description = "print only the domain XML of a libvirt save image (as virsh save-image-dumpxml does)")
    boolean xml;

    @Option(names = {"-q", "--quiet"}, description = "no progress bar on standard error")
    boolean quiet;

    private Progress progress = Progress.start("inspect", 0, true);

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        java.util.Optional<SaveImage> image = container(file);
        if (xml) {
            if (image.isEmpty() || image.get().libvirtHeader().isEmpty()) {
                throw new RegshimException(file + ": not a libvirt save image: it has no domain XML"
                        + image.map(i -> " (" + i.describe() + ")").orElse(""));
            }
            out.print(image.get().domainXml());
            if (!image.get().domainXml().endsWith("\n")) {
                out.println();
            }
            out.flush();
            return Main.EXIT_OK;
        }
        StreamSummary s;
        try {
            s = read();
        } finally {
            progress.close();
        }
        if (json) {
            ObjectNode o = toJson(s);
            image.ifPresent(i -> o.set("container", containerJson(i)));
            Json.print(out, o);
        } else {
            image.ifPresent(i -> printContainer(out, i));
            print(out, s);
        }
        return Main.EXIT_OK;
    }

    /** The file's container (libvirt header, compression); empty for standard input. */
    static java.util.Optional<SaveImage> container(String file) {
        if (file.equals("-")) {
            return java.util.Optional.empty();
        }
        Path p = Path.of(file);
        if (!Files.isRegularFile(p)) {
            return java.util.Optional.empty(); // read() names the problem
        }
        return java.util.Optional.of(SaveImage.open(p));
    }

    private static final java.util.regex.Pattern DOMAIN_NAME = java.util.regex.Pattern.compile("<name>([^<]{1,200})</name>");

    private static void printContainer(PrintWriter out, SaveImage i) {
        out.printf("container  %s%n", i.describe());
        if (i.libvirtHeader().isPresent()) {
            java.util.regex.Matcher m = DOMAIN_NAME.matcher(i.domainXml());
            out.printf("domain     %s (domain XML %,d bytes; --xml prints it)%n",
                    m.find() ? dev.regshim.util.Text.safe(m.group(1), 100) : "(no <name>)", i.domainXml().length());
            i.codec().ifPresent(c -> out.printf("compression %s%n", c.toolName()));
        }
    }

    private static ObjectNode containerJson(SaveImage i) {
        ObjectNode c = Json.object();
        c.put("kind", i.kind().name().toLowerCase(java.util.Locale.ROOT));
        c.put("description", i.describe());
        c.put("stream_offset", i.streamOffset());
        i.codec().ifPresent(k -> c.put("compression", k.toolName()));
        i.libvirtHeader().ifPresent(h -> {
            c.put("libvirt_version", h.version());
            c.put("was_running", h.wasRunning());
            c.put("domain_xml", i.domainXml());
        });
        return c;
    }

    private StreamSummary read() {
        ReadOptions opts = ReadOptions.defaults().withIgnoreVmdesc(noVmdesc);
        return summarize(file, size -> withProgress(opts, size));
    }

    /** What {@code inspect FILE} reads: the stream in the file (any container) or on standard input ({@code -}). */
    static StreamSummary summarize(String file, java.util.function.LongFunction<ReadOptions> optionsForSize) {
        try {
            if (file.equals("-")) {
                try {
                    return StreamReader.summarize(StreamFiles.unwrap(stdin.get()), optionsForSize.apply(-1));
                } catch (dev.regshim.stream.StreamFormatException e) {
                    throw e.inFile("standard input");
                }
            }
            Path p = Path.of(file);
            return StreamFiles.summarize(p, optionsForSize.apply(Files.size(p)));
        } catch (NoSuchFileException e) {
            throw new RegshimException("cannot read " + file + ": no such file");
        } catch (IOException e) {
            throw new RegshimException("cannot read " + file + ": " + dev.regshim.util.SafeFiles.reason(e));
        }
    }

    /** The progress bar on stderr (a terminal, a long input, no -q), closed before the report is printed. */
    private ReadOptions withProgress(ReadOptions opts, long size) {
        progress = Progress.start("inspect", size, quiet);
        return opts.withProgress(progress.consumer());
    }

    // ------------------------------------------------------------------ text

    private void print(PrintWriter out, StreamSummary s) {
        out.printf("stream     %s, %,d bytes%n", file, s.totalBytes());
        out.printf("machine    %s%n", Text.escape(s.machineType().orElse("(no configuration record)")));
        out.printf("page size  %d%n", s.pageSize());
        if (s.configuration() != null && !s.configuration().capabilities().isEmpty()) {
            out.printf("capabilities %s%n", Text.escape(String.join(", ", s.configuration().capabilities())));
        }
        if (s.vmdesc() != null) {
            out.printf("vmdesc     %,d bytes at offset %d, %d device entries%n", s.vmdesc().encodedLength(),
                    s.vmdesc().offset(), s.vmdesc().deviceCount());
        } else {
            out.println("vmdesc     none");
        }
        long ramBytes = s.ramBlocks().stream().mapToLong(b -> b.block().usedLength()).sum();
        out.printf("%nRAM blocks: %d, %,d bytes, %,d zero pages, %,d data pages%n", s.ramBlocks().size(), ramBytes,
                s.zeroPages(), s.dataPages());
        out.printf("  %-26s %14s %12s %12s%n", "block", "bytes", "zero pages", "data pages");
        for (StreamSummary.RamBlockStats b : s.ramBlocks()) {
            out.printf("  %-26s %14d %12d %12d%n", Text.escape(b.block().name()), b.block().usedLength(), b.zeroPages(),
                    b.dataPages());
        }
        out.printf("%nsections: %d%n", s.sections().size());
        out.printf("  %10s %10s  %-5s %4s  %-26s %8s %7s  %s%n", "offset", "length", "type", "id", "idstr",
                "instance", "version", "walk");
        for (StreamSummary.SectionInfo i : s.sections()) {
            out.printf("  %10d %10d  %-5s %4s  %-26s %8s %7s  %s%n", i.offset(), i.length(), i.typeName(),
                    Integer.toUnsignedString(i.sectionId()), Text.escape(i.idstr()), Integer.toUnsignedString(i.instanceId()),
                    Integer.toUnsignedString(i.versionId()), i.method() == null ? "" : walkName(i.method()));
        }
        for (VmCommand c : s.commands()) {
            out.printf("command    %s at offset %d%n", c.name(), c.offset());
        }
        if (s.eofOffset() >= 0) {
            out.printf("EOF        at offset %d%n", s.eofOffset());
        }
        out.printf("%nvCPUs: %d%n", s.cpus().size());
        for (CpuSection cpu : s.cpus()) {
            out.printf("  cpu %d: %d cpregs, pc 0x%016x, pstate 0x%08x%s, subsections %s%n", cpu.instanceId(),
                    cpu.cpregCount(), cpu.pc(), cpu.pstate(), cpu.poweredOff() ? ", powered off" : "",
                    Text.escape(String.join(" ", cpu.subsectionNames())));
            if (fields) {
                printFields(out, cpu);
            }
            if (regs) {
                RegCatalog cat = RegCatalog.get();
                for (int i = 0; i < cpu.cpregCount(); i++) {
                    RegId id = RegId.of(cpu.id(i));
                    out.printf("    %s  %-28s 0x%016x%n", id.hex(), cat.name(id), cpu.value(i));
                }
            }
        }
    }

    private static String walkName(dev.regshim.stream.DeviceSection.WalkMethod m) {
        switch (m) {
            case VMDESC: return "vmdesc";
            case CPU_LAYOUT: return "cpu-layout";
            default: return "footer-scan";
        }
    }

    private static void printFields(PrintWriter out, CpuSection cpu) {
        for (CpuField f : cpu.fields()) {
            out.printf("    %-26s %s%n", Text.escape(f.name()), values(f));
        }
        printSubsections(out, cpu.subsections(), "    ");
    }

    private static void printSubsections(PrintWriter out, List<CpuSubsection> subs, String indent) {
        for (CpuSubsection s : subs) {
            out.printf("%s%s v%d (%d bytes)%n", indent, Text.escape(s.name()), s.version(), s.encodedLength());
            for (CpuField f : s.fields()) {
                out.printf("%s  %-24s %s%n", indent, Text.escape(f.name()), values(f));
            }
            printSubsections(out, s.children(), indent + "  ");
        }
    }

    private static final int MAX_SHOWN = 8;

    private static String values(CpuField f) {
        StringBuilder b = new StringBuilder();
        int n = Math.min(f.count(), MAX_SHOWN);
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : " ").append(f.hex(i));
        }
        if (f.count() > MAX_SHOWN) {
            long nonZero = java.util.Arrays.stream(f.values()).filter(v -> v != 0).count();
            b.append(String.format(" ... (%d elements, %d non-zero)", f.count(), nonZero));
        }
        return b.toString();
    }

    // ------------------------------------------------------------------ JSON

    private ObjectNode toJson(StreamSummary s) {
        ObjectNode o = Json.object();
        o.put("file", file);
        o.put("bytes", s.totalBytes());
        o.put("version", WireFormat.VERSION);
        o.put("machine_type", s.machineType().orElse(null));
        o.put("page_size", s.pageSize());
        ArrayNode caps = o.putArray("capabilities");
        if (s.configuration() != null) {
            s.configuration().capabilities().forEach(caps::add);
            s.configuration().uuid().ifPresent(u -> o.put("uuid", u));
        }
        if (s.vmdesc() != null) {
            ObjectNode v = o.putObject("vmdesc");
            v.put("offset", s.vmdesc().offset());
            v.put("bytes", s.vmdesc().encodedLength());
            v.put("devices", s.vmdesc().deviceCount());
        } else {
            o.putNull("vmdesc");
        }
        ArrayNode blocks = o.putArray("ram_blocks");
        for (StreamSummary.RamBlockStats b : s.ramBlocks()) {
            ObjectNode j = blocks.addObject();
            j.put("name", b.block().name());
            j.put("bytes", b.block().usedLength());
            j.put("zero_pages", b.zeroPages());
            j.put("data_pages", b.dataPages());
            if (b.block().hasPageSize()) {
                j.put("page_size", b.block().pageSize());
            }
            if (b.block().hasMrAddr()) {
                j.put("mr_addr", Json.hex(b.block().mrAddr()));
            }
        }
        ArrayNode secs = o.putArray("sections");
        for (StreamSummary.SectionInfo i : s.sections()) {
            ObjectNode j = secs.addObject();
            j.put("offset", i.offset());
            j.put("length", i.length());
            j.put("type", i.typeName());
            j.put("section_id", Integer.toUnsignedLong(i.sectionId()));
            j.put("idstr", i.idstr());
            j.put("instance_id", Integer.toUnsignedLong(i.instanceId()));
            j.put("version_id", Integer.toUnsignedLong(i.versionId()));
            if (i.method() != null) {
                j.put("walk", walkName(i.method()));
            }
        }
        ArrayNode cmds = o.putArray("commands");
        for (VmCommand c : s.commands()) {
            ObjectNode j = cmds.addObject();
            j.put("offset", c.offset());
            j.put("command", c.name());
            j.put("length", c.data().length);
        }
        o.put("eof_offset", s.eofOffset());
        o.put("zero_pages", s.zeroPages());
        o.put("data_pages", s.dataPages());
        ArrayNode cpus = o.putArray("cpus");
        RegCatalog cat = RegCatalog.get();
        for (CpuSection cpu : s.cpus()) {
            ObjectNode j = cpus.addObject();
            j.put("instance_id", cpu.instanceId());
            j.put("section_offset", cpu.header().offset());
            j.put("cpreg_array_offset", cpu.cpregArrayOffset());
            j.put("cpreg_count", cpu.cpregCount());
            j.put("pc", Json.hex(cpu.pc()));
            j.put("pstate", Json.hex(Integer.toUnsignedLong(cpu.pstate())));
            j.put("powered_off", cpu.poweredOff());
            ObjectNode fieldsJ = j.putObject("fields");
            for (CpuField f : cpu.fields()) {
                fieldsJ.set(f.name(), fieldJson(f));
            }
            j.set("subsections", subsJson(cpu.subsections()));
            ArrayNode regsJ = j.putArray("registers");
            for (int i = 0; i < cpu.cpregCount(); i++) {
                RegId id = RegId.of(cpu.id(i));
                ObjectNode r = regsJ.addObject();
                r.put("id", id.hex());
                r.put("name", cat.name(id));
                r.put("value", Json.hex(cpu.value(i)));
            }
        }
        return o;
    }

    private static com.fasterxml.jackson.databind.JsonNode fieldJson(CpuField f) {
        if (f.count() == 1) {
            return Json.MAPPER.getNodeFactory().textNode(Json.hex(f.value()));
        }
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (long v : f.values()) {
            a.add(Json.hex(v));
        }
        return a;
    }

    private static ArrayNode subsJson(List<CpuSubsection> subs) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (CpuSubsection s : subs) {
            ObjectNode j = a.addObject();
            j.put("name", s.name());
            j.put("version", s.version());
            j.put("offset", s.offset());
            j.put("length", s.encodedLength());
            ObjectNode f = j.putObject("fields");
            for (CpuField cf : s.fields()) {
                f.set(cf.name(), fieldJson(cf));
            }
            if (!s.children().isEmpty()) {
                j.set("subsections", subsJson(s.children()));
            }
        }
        return a;
    }
}
