/**
 * The QEMU live-migration stream codec (aarch64 {@code virt}; QEMU 7.2, 10.x and 11.1, and 11.2's
 * {@code cpu/sysreg128}): read, inspect, re-encode and rewrite streams without holding their RAM. A subsection no
 * release here knows is walked through the vmdesc (any field width), never refused on a well-formed stream. This package owns every fact about the stream's bytes; nothing outside
 * it parses or builds them.
 *
 * <h2>What it owns</h2>
 * <ul>
 * <li><b>The wire format, one reader per structure.</b> {@link dev.regshim.stream.WireFormat} is the grammar and its
 *     numbers; each structure is read in one place whose javadoc is its layout: {@link dev.regshim.stream.StreamHeader}
 *     (magic, version), the configuration ({@link dev.regshim.stream.HeadDecoder}),
 *     {@link dev.regshim.stream.SectionHeader}, {@link dev.regshim.stream.SubsectionHeader},
 *     {@link dev.regshim.stream.SectionFooter}, {@link dev.regshim.stream.VmCommand},
 *     {@link dev.regshim.stream.VmdescTrailer}, RAM records ({@link dev.regshim.stream.RamFlags},
 *     {@link dev.regshim.stream.RamDecoder}) and the ARM cpu section ({@link dev.regshim.stream.CpuLayout}).</li>
 * <li><b>The vmdesc trailer.</b> {@link dev.regshim.stream.Vmdesc} and its entries ({@link dev.regshim.stream.Vmsd})
 *     answer what walks and reports ask of it (field layout, body length, main-field bytes, cpreg counts); its JSON
 *     never leaves this package.</li>
 * <li><b>Reading.</b> {@link dev.regshim.stream.StreamDecoder} is an incremental push decoder ({@code feed} chunks of
 *     any size, {@code finish}) that never half-consumes input, reporting to a
 *     {@link dev.regshim.stream.StreamVisitor}; stages decode the parts of the grammar
 *     ({@link dev.regshim.stream.DecoderStage}). Device sections held whole are walked by
 *     {@link dev.regshim.stream.VmdescWalk}, {@link dev.regshim.stream.CpuLayoutWalk} or
 *     {@link dev.regshim.stream.FooterScan}. {@link dev.regshim.stream.StreamReader} drives the decoder over a file
 *     (vmdesc read first from the end, the file mapped: {@link dev.regshim.stream.MappedWindows}), an
 *     {@code InputStream} or a channel; {@link dev.regshim.stream.StreamEnds} reads only a file's two ends.</li>
 * <li><b>Writing.</b> {@link dev.regshim.stream.StreamWriter} is the one encoder of visitor events (write(read(s)) ==
 *     s); every stream this project builds goes through it.</li>
 * <li><b>Rewriting.</b> {@link dev.regshim.stream.StreamTransformer} streams input to output, replacing the cpreg arrays
 *     a {@link dev.regshim.stream.StreamTransformer.CpuSectionHandler} asks for; {@link dev.regshim.stream.CpregEdits}
 *     is the one place that replaces arrays and keeps the vmdesc {@code array_len}s in step.</li>
 * <li><b>Bounds and errors.</b> {@link dev.regshim.stream.StreamLimits} holds every bound on untrusted input; every
 *     error is a {@link dev.regshim.stream.StreamFormatException} naming the offset and the section.</li>
 * </ul>
 * Containers (libvirt save images, compressed files) are recognised and unwrapped in
 * {@link dev.regshim.stream.container}, then read here.
 *
 * <h2>What it may import</h2>
 * The JDK, Jackson (the vmdesc JSON), {@code dev.regshim.regs} (register IDs in cpu sections), {@code dev.regshim.util}
 * and the root {@code dev.regshim.RegshimException} that every domain error extends; {@code stream.container} also
 * the compression libraries. Nothing else of regshim: the model, the planner, the rewriter and the proxy use this
 * package, never the other way round.
 */
package dev.regshim.stream;
