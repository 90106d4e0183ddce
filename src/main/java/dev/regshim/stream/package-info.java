/**
 * QEMU live-migration stream codec (aarch64 {@code virt}, QEMU 7.2 and 10.x): read, inspect, re-encode and rewrite
 * streams without holding their RAM.
 * <ul>
 * <li>{@link dev.regshim.stream.StreamDecoder}: incremental push decoder ({@code feed} chunks of any size,
 *     {@code finish}) reporting to a {@link dev.regshim.stream.StreamVisitor}; wire format in
 *     {@link dev.regshim.stream.WireFormat}, {@link dev.regshim.stream.RamFlags} and
 *     {@link dev.regshim.stream.CpuLayout}.</li>
 * <li>{@link dev.regshim.stream.StreamReader}: drives the decoder over a {@code Path} (vmdesc read first from the
 *     end), an {@code InputStream} or a channel; {@code summarize} gives a {@link dev.regshim.stream.StreamSummary}.</li>
 * <li>{@link dev.regshim.stream.StreamWriter}: re-encodes visitor events; write(read(s)) == s.</li>
 * <li>{@link dev.regshim.stream.StreamTransformer}: streaming rewrite for the offline rewriter and the live proxy; a
 *     {@link dev.regshim.stream.StreamTransformer.CpuSectionHandler} sees each decoded
 *     {@link dev.regshim.stream.CpuSection} and returns a {@link dev.regshim.stream.CpregReplacement}; the vmdesc
 *     ({@link dev.regshim.stream.Vmdesc}) is kept consistent.</li>
 * <li>{@link dev.regshim.stream.StreamLimits}: bounds on untrusted input; every error is a
 *     {@link dev.regshim.stream.StreamFormatException} naming the offset and section.</li>
 * </ul>
 * Containers (libvirt save images, compressed files) are unwrapped elsewhere into a raw stream, then read here.
 */
package dev.regshim.stream;
