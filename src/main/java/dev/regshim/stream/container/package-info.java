/**
 * The containers a migration stream is found in, recognised by their first bytes ({@link
 * dev.regshim.stream.container.SaveImage.Kind#sniff}): the bare stream, a stream compressed as a whole
 * ({@link dev.regshim.stream.container.Codec}: gzip, bzip2, xz, zstd; lzop recognised and refused), and the libvirt
 * {@code virsh save} image ({@link dev.regshim.stream.container.LibvirtHeader}, the XML area, then the stream as its
 * format says). {@link dev.regshim.stream.container.SaveImage} opens one and streams the QEMU stream inside;
 * {@link dev.regshim.stream.container.SaveImageWriter} writes a rewritten stream back into the same container;
 * {@link dev.regshim.stream.container.StreamFiles} reads a stream from whatever holds it. Bounds on untrusted images
 * are in {@link dev.regshim.stream.container.ContainerLimits}; refusals are one-line
 * {@link dev.regshim.stream.container.ContainerException}s naming the file and offset.
 * <p>
 * It owns the container formats only: the stream's own bytes (its magic included) are the business of
 * {@link dev.regshim.stream}. It may import the JDK, the compression libraries (commons-compress, xz, zstd-jni),
 * {@code dev.regshim.stream} and the root {@code dev.regshim.RegshimException}.
 */
package dev.regshim.stream.container;
